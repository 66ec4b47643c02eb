/**
 * Every command against the local stand-in, started in-process (one Miniflare,
 * in memory, free ports). Plans and suspensions are checked through the
 * dispatcher too, since it reads the same KV.
 */
import { mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { cli as runCli, uniqueName, type CliResult } from "./helpers.ts";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");
let stack: Stack;
let dir: string;

const cli = (...argv: string[]): Promise<CliResult> => runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api } }, ...argv);

async function ok(...argv: string[]): Promise<string> {
  const res = await cli(...argv);
  expect(res.code, `${argv.join(" ")}\n${res.err}`).toBe(0);
  return res.out;
}

async function json<T>(...argv: string[]): Promise<T> {
  return JSON.parse(await ok(...argv, "--json")) as T;
}

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function freshNamespace(): Promise<string> {
  const ns = uniqueName("cli");
  await ok("namespace", "create", ns);
  return ns;
}

beforeAll(async () => {
  stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  dir = await mkdtemp(join(tmpdir(), "tenantscope-cli-"));
  await writeFile(join(dir, "one.js"), `export default { fetch() { return new Response("one"); } }`);
});

afterAll(async () => {
  await stack?.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("namespace", () => {
  it("creates, lists, gets and deletes, with API errors as non-zero exits", async () => {
    const ns = await freshNamespace();
    expect(await ok("namespace", "list")).toMatch(new RegExp(`^${ns}\\s+0\\s`, "m"));
    expect((await json<{ namespace_name: string }>("namespace", "get", ns)).namespace_name).toBe(ns);
    const dup = await cli("namespace", "create", ns);
    expect(dup.code).toBe(1);
    expect(dup.err).toContain("already exists (code 100120)");
    expect(await ok("namespace", "delete", ns)).toContain(`deleted namespace ${ns}`);
    const gone = await cli("namespace", "get", ns);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain("not found");
  });
});

describe("script", () => {
  it("uploads a file with tags, bindings and the tail consumer, then gets and deletes it", async () => {
    const ns = await freshNamespace();
    const out = await ok("script", "upload", "one", join(dir, "one.js"), "-n", ns, "--tag", "a", "--tag", "b", "--binding", "GREETING=hi there", "--secret", "KEY=s3cr3t");
    expect(out).toMatch(/^created one in /);
    const got = await json<{ script: { tags: string[]; tail_consumers: { service: string }[]; bindings: { name: string; type: string }[]; has_modules: boolean } }>(
      "script", "get", "one", "-n", ns);
    expect(got.script.tags).toEqual(["a", "b"]);
    expect(got.script.tail_consumers).toEqual([{ service: "tenantscope-tail" }]);
    expect(got.script.bindings).toEqual([{ name: "GREETING", type: "plain_text" }, { name: "KEY", type: "secret_text" }]);
    expect(got.script.has_modules).toBe(true);
    expect(await ok("script", "get", "one", "-n", ns)).toMatch(/tail consumers\s+tenantscope-tail/);
    expect(await ok("script", "upload", "one", join(dir, "one.js"), "-n", ns, "--no-tail")).toMatch(/^updated one/);
    expect((await json<{ script: { tail_consumers: unknown } }>("script", "get", "one", "-n", ns)).script.tail_consumers).toBeNull();
    expect(await ok("script", "delete", "one", "-n", ns)).toContain("deleted one");
    expect((await cli("script", "get", "one", "-n", ns)).code).toBe(1);
  });

  it("bulk-uploads a directory of tenants with progress, detecting service-worker syntax", async () => {
    const ns = await freshNamespace();
    const expected = (await readdir(EXAMPLES, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== "node_modules").map((e) => e.name).sort();
    const res = await cli("script", "upload", EXAMPLES, "-n", ns, "--tag", "demo");
    expect(res.code, res.err).toBe(0);
    expect(res.out).toBe(`uploaded ${expected.length} scripts to ${ns}`);
    expect(res.err.split("\n")).toHaveLength(expected.length);
    expect(res.err).toMatch(new RegExp(`^\\[1/${expected.length}\\] \\S+ created$`, "m"));
    const scripts = await json<{ id: string; has_modules: boolean; tags: string[] }[]>("script", "list", "-n", ns);
    expect(scripts.map((s) => s.id)).toEqual(expected);
    expect(scripts.find((s) => s.id === "legacy-sw")?.has_modules).toBe(false);
    expect(scripts.every((s) => s.tags.includes("demo"))).toBe(true);
  });

  it("refuses mismatched arguments and bad input before sending anything", async () => {
    const ns = await freshNamespace();
    const cases: [string[], string][] = [
      [["script", "upload", "x", EXAMPLES, "-n", ns], "a bulk upload takes only the directory"],
      [["script", "upload", join(dir, "one.js"), "-n", ns], "give its name too"],
      [["script", "upload", "Bad_Name", join(dir, "one.js"), "-n", ns], "invalid script name"],
      [["script", "upload", "x", join(dir, "one.js"), "-n", ns, "--tag", "a,b"], 'contains "," or "&"'],
      [["script", "upload", "x", join(dir, "one.js"), "-n", ns, "--binding", "NOEQUALS"], "KEY=VALUE"],
      [["script", "upload", "x", join(dir, "missing.js"), "-n", ns], "no such file"],
      [["script", "list", "--bogus"], "Unknown option"],
      [["script", "frobnicate"], "unknown command"],
      [["script", "delete", "--tags", "a:yes", "-n", ns], "--yes"],
    ];
    for (const [argv, message] of cases) {
      const res = await cli(...argv);
      expect(res.code, argv.join(" ")).not.toBe(0);
      expect(res.err, argv.join(" ")).toContain(message);
    }
    expect(JSON.parse((await cli("script", "list", "-n", ns, "--json")).out)).toEqual([]);
  });

  it("lists one page or every page, with tag filters, and deletes by filter", async () => {
    const ns = await freshNamespace();
    const tenants = join(dir, `tenants-${ns}`);
    await mkdir(tenants);
    for (let i = 0; i < 12; i++) {
      await writeFile(join(tenants, `t${String(i).padStart(2, "0")}.js`), `export default { fetch() { return new Response("${i}"); } }`);
    }
    expect((await cli("script", "upload", tenants, "-n", ns, "--concurrency", "3")).code).toBe(0);
    for (let i = 0; i < 12; i += 3) await ok("tags", "add", `t${String(i).padStart(2, "0")}`, "third", "-n", ns);
    const page = await cli("script", "list", "-n", ns, "--limit", "5");
    expect(page.out.split("\n")).toHaveLength(6); // header + 5
    expect(page.err).toContain("more scripts follow");
    expect(await json<unknown[]>("script", "list", "-n", ns, "--limit", "5", "--all")).toHaveLength(12);
    const third = await json<{ id: string }[]>("script", "list", "-n", ns, "--tags", "third:yes", "--all", "--limit", "2");
    expect(third.map((s) => s.id)).toEqual(["t00", "t03", "t06", "t09"]);
    expect(await ok("script", "list", "-n", ns, "--tags", "third:yes")).toMatch(/^t03\s+third\s/m);
    const bad = await cli("script", "list", "-n", ns, "--tags", "third:maybe");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("invalid tags filter");
    expect((await cli("script", "delete", "-n", ns, "--tags", "third:yes", "--yes")).code).toBe(0);
    expect(await json<unknown[]>("script", "list", "-n", ns, "--all")).toHaveLength(8);
  });
});

describe("tags", () => {
  it("sets, adds, removes and lists, and shows the API's limit error", async () => {
    const ns = await freshNamespace();
    await ok("script", "upload", "one", join(dir, "one.js"), "-n", ns);
    expect(await ok("tags", "set", "one", "x", "y", "-n", ns)).toBe("one: x, y");
    expect(await ok("tags", "add", "one", "z", "-n", ns)).toBe("one: x, y, z");
    expect(await ok("tags", "rm", "one", "x", "-n", ns)).toBe("one: y, z");
    expect(await json<string[]>("tags", "list", "one", "-n", ns)).toEqual(["y", "z"]);
    expect(await ok("tags", "set", "one", "-n", ns)).toBe("one has no tags");
    await ok("tags", "set", "one", "1", "2", "3", "4", "5", "6", "7", "8", "-n", ns);
    const ninth = await cli("tags", "add", "one", "9", "-n", ns);
    expect(ninth.code).toBe(1);
    expect(ninth.err).toContain("at most 8 tags (code 10021)");
    expect((await cli("tags", "add", "ghost", "x", "-n", ns)).err).toContain("not found");
  });
});

describe("plan and tenant", () => {
  it("lists built-ins, sets KV plans, and validates with core's rules", async () => {
    const list = await ok("plan", "list");
    expect(list).toMatch(/^free\s+10\s+10\s+-\s+builtin/m);
    expect(await ok("plan", "set", "gold", "--cpu-ms", "200", "--subrequests", "500")).toContain("plan gold: cpuMs 200, subRequests 500");
    expect(await ok("plan", "set", "gold", "--cpu-ms", "250")).toContain("cpuMs 250, subRequests 500");
    await ok("plan", "set", "pro", "--subrequests", "150");
    const plans = await json<{ plan: string; cpuMs: number; subRequests: number; source: string }[]>("plan", "list");
    expect(plans.find((p) => p.plan === "gold")).toEqual({ plan: "gold", cpuMs: 250, subRequests: 500, source: "kv" });
    expect(plans.find((p) => p.plan === "pro")).toEqual({ plan: "pro", cpuMs: 50, subRequests: 150, source: "kv (overrides builtin)" });
    const tooBig = await cli("plan", "set", "huge", "--cpu-ms", "300001", "--subrequests", "1");
    expect(tooBig.code).toBe(2);
    expect(tooBig.err).toContain("cpuMs must be an integer from 1 to 300000");
    expect((await cli("plan", "set", "new-one", "--cpu-ms", "5")).err).toContain("give both");
    expect((await cli("plan", "set", "Bad Name", "--cpu-ms", "5", "--subrequests", "5")).err).toContain("invalid plan name");
  });

  it("assigns plans and suspends tenants in the KV the dispatcher reads", async () => {
    const ns = stack.namespace;
    const exists = await cli("namespace", "create", ns);
    expect([0, 1]).toContain(exists.code);
    const hello = join(EXAMPLES, "hello");
    await ok("script", "upload", "cli-hello", hello, "--plan", "enterprise");
    expect(await ok("tenant", "get", "cli-hello")).toBe("cli-hello: plan enterprise");
    expect((await fetch(`${stack.urls.dispatcher}/cli-hello/`)).status).toBe(200);

    await ok("script", "upload", "cli-held", hello);
    expect(await ok("tenant", "get", "cli-held")).toContain("no tenant:cli-held record");
    expect(await ok("tenant", "suspend", "cli-held")).toBe("cli-held suspended (plan free, recorded as it had no assignment)");
    const suspended = await fetch(`${stack.urls.dispatcher}/cli-held/`);
    expect(suspended.status).toBe(403);
    expect(((await suspended.json()) as { error: { code: string } }).error.code).toBe("tenant_suspended");
    expect(await ok("tenant", "plan", "cli-held", "pro")).toBe("cli-held is on plan pro");
    expect(await json<{ assignment: unknown }>("tenant", "get", "cli-held")).toEqual({ tenant: "cli-held", assignment: { plan: "pro", suspended: true } });
    expect(await ok("tenant", "resume", "cli-held")).toBe("cli-held resumed (plan pro)");
    expect(await json<{ assignment: unknown }>("tenant", "get", "cli-held")).toEqual({ tenant: "cli-held", assignment: { plan: "pro", suspended: false } });
    expect(await ok("tenant", "resume", "nobody")).toContain("not suspended");

    const unknown = await cli("tenant", "plan", "cli-held", "platinum");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown plan "platinum"');
    expect((await cli("script", "upload", "x", hello, "--plan", "platinum")).err).toContain('unknown plan "platinum"');
  });
});

describe("help and targets", () => {
  it("prints help for the tool, a group and a command", async () => {
    expect(await ok("--help")).toContain("tenantscope script upload");
    expect(await ok("tags", "--help")).toContain("tenantscope tags set <script> [tag...]");
    const upload = await ok("script", "upload", "--help");
    expect(upload).toContain("--tag <value> (repeatable)");
    expect(upload).toContain("tail_consumers");
  });

  it("reports an unreachable API at once, with the URL it tried and no retries", async () => {
    const sleeps: number[] = [];
    const port = await closedPort();
    const res = await runCli({ env: { TENANTSCOPE_API_URL: `http://127.0.0.1:${port}` }, sleeps }, "namespace", "list");
    expect(res.code).toBe(1);
    expect(res.err).toContain(`cannot reach http://127.0.0.1:${port}/client/v4/accounts/local/workers/dispatch/namespaces`);
    expect(res.err).toContain("connection refused: nothing listens there");
    expect(res.err).not.toContain("retrying");
    expect(sleeps).toEqual([]);
  });

  it("takes CLOUDFLARE_API_BASE_URL with /client/v4, as wrangler and the SDK do", async () => {
    const env = { CLOUDFLARE_API_BASE_URL: `${stack.urls.api}/client/v4`, CLOUDFLARE_ACCOUNT_ID: "local", CLOUDFLARE_API_TOKEN: "local" };
    const ns = await freshNamespace();
    const res = await runCli({ env }, "namespace", "get", ns, "--json");
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ namespace_name: ns });
    const bare = await runCli({ env: { ...env, CLOUDFLARE_API_BASE_URL: stack.urls.api } }, "namespace", "list");
    expect(bare.code).not.toBe(0);
    expect(bare.err).toContain(`did you mean "${stack.urls.api}/client/v4"?`);
  });
});
