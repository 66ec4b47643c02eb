/**
 * The local Workers KV REST API driven by the real clients, unchanged: wrangler's
 * `kv key`, `kv bulk` and `kv namespace` commands, and the official `cloudflare`
 * SDK (6.x, and 7.x under the alias `cloudflare7`). The versions used are read
 * from the installed packages and printed. A plan written by the SDK as multipart
 * with metadata is then applied by the dispatcher, and keys written with a TTL
 * expire (the KV store's clock is moved by hand: kv-clock.ts).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assignmentRecord, planRecord } from "@tenantscope/core/plans";
import { NotFoundError } from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { ACCOUNT, clientVersions, sdk6, sdk7, wranglerFor, type Wrangler } from "./clients.ts";
import { enableKvClockControl, kvClock } from "./kv-clock.ts";

const NS = "tenantscope-plans";
const REMOTE = ["--remote", "--namespace-id", NS];

let stack: Stack;
let wrangler: Wrangler;

beforeAll(async () => {
  enableKvClockControl();
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: { tenants: [] }, log: () => {} });
  wrangler = await wranglerFor(stack);
});

afterAll(async () => {
  await wrangler?.dispose();
  await stack?.dispose();
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

it("records the client versions it ran", async () => {
  const versions = await clientVersions();
  console.info(`real clients: wrangler ${versions.wrangler}, cloudflare ${versions.cloudflare}, cloudflare7 ${versions.cloudflare7}`);
  expect(versions.wrangler).toMatch(/^4\./);
  expect(versions.cloudflare).toMatch(/^6\./);
  expect(versions.cloudflare7).toMatch(/^7\./);
});

// Each wrangler command is a Node start of a few seconds, more on a busy machine.
describe("wrangler kv", { timeout: 180_000 }, () => {
  it("puts a value with --metadata and --ttl, gets it, lists it with both, deletes it", async () => {
    const key = "plan:wrangler-a";
    const before = nowSeconds();
    const put = await wrangler.ok(["kv", "key", "put", key, '{"cpuMs":20,"subRequests":30}', ...REMOTE, "--metadata", '{"owner":"ops"}', "--ttl", "3600"]);
    expect(put).toContain(`with metadata "{"owner":"ops"}"`);
    expect(await wrangler.ok(["kv", "key", "get", key, ...REMOTE])).toBe('{"cpuMs":20,"subRequests":30}');
    const listed = JSON.parse(await wrangler.ok(["kv", "key", "list", "--prefix", "plan:wrangler-", ...REMOTE])) as { name: string; expiration: number; metadata: unknown }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: key, metadata: { owner: "ops" } });
    expect(listed[0]?.expiration).toBeGreaterThanOrEqual(before + 3600);
    await wrangler.ok(["kv", "key", "delete", key, ...REMOTE]);
    const gone = await wrangler.run(["kv", "key", "get", key, ...REMOTE]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr + gone.stdout.toString()).toContain("404: Not Found");
  });

  it("round-trips a binary file (--path) byte for byte", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const file = join(wrangler.dir, "blob.bin");
    await writeFile(file, bytes);
    await wrangler.ok(["kv", "key", "put", "bin:wrangler", "--path", file, ...REMOTE]);
    const got = await wrangler.run(["kv", "key", "get", "bin:wrangler", ...REMOTE]);
    expect(got.code).toBe(0);
    expect(Buffer.compare(got.stdout, bytes)).toBe(0);
  });

  it("shows Cloudflare's message for a TTL under 60 s", async () => {
    const res = await wrangler.run(["kv", "key", "put", "k:short", "v", ...REMOTE, "--ttl", "30"]);
    expect(res.code).not.toBe(0);
    expect(res.stdout.toString() + res.stderr).toContain("Invalid expiration_ttl of 30. Expiration TTL must be at least 60.");
  });

  it("lists the namespaces and stops (the page after the last is empty)", async () => {
    const list = JSON.parse(await wrangler.ok(["kv", "namespace", "list"])) as unknown[];
    expect(list).toEqual([{ id: NS, title: NS, supports_url_encoding: true }]);
  });

  it("bulk puts (metadata, base64, TTL) and bulk deletes", async () => {
    const put = join(wrangler.dir, "put.json");
    const del = join(wrangler.dir, "del.json");
    await writeFile(put, JSON.stringify([
      { key: "wb:1", value: "one", metadata: { n: 1 } },
      { key: "wb:2", value: Buffer.from("two").toString("base64"), base64: true, expiration_ttl: 600 },
    ]));
    await writeFile(del, JSON.stringify(["wb:1", "wb:2"]));
    await wrangler.ok(["kv", "bulk", "put", put, ...REMOTE]);
    expect(await wrangler.ok(["kv", "key", "get", "wb:2", ...REMOTE])).toBe("two");
    const listed = JSON.parse(await wrangler.ok(["kv", "key", "list", "--prefix", "wb:", ...REMOTE])) as { name: string; metadata?: unknown; expiration?: number }[];
    expect(listed.map((k) => k.name)).toEqual(["wb:1", "wb:2"]);
    expect(listed[0]?.metadata).toEqual({ n: 1 });
    expect(listed[1]?.expiration).toBeGreaterThan(nowSeconds());
    await wrangler.ok(["kv", "bulk", "delete", del, "--force", ...REMOTE]);
    expect(JSON.parse(await wrangler.ok(["kv", "key", "list", "--prefix", "wb:", ...REMOTE]))).toEqual([]);
  });
});

describe("the cloudflare SDK", () => {
  it("6.x: values with metadata and TTL, metadata.get, get, a 404 for a missing key", async () => {
    const cf = sdk6(stack);
    await cf.kv.namespaces.values.update(NS, "sdk6:a", { account_id: ACCOUNT, value: "value a", metadata: { owner: "tenant-a" }, expiration_ttl: 3600 });
    expect(await cf.kv.namespaces.metadata.get(NS, "sdk6:a", { account_id: ACCOUNT })).toEqual({ owner: "tenant-a" });
    expect(await (await cf.kv.namespaces.values.get(NS, "sdk6:a", { account_id: ACCOUNT })).text()).toBe("value a");
    // 6.x puts the key in the path unescaped: its "/" must stay part of the key.
    await cf.kv.namespaces.values.update(NS, "sdk6:dir/file", { account_id: ACCOUNT, value: "in a dir", metadata: { d: true } });
    expect(await (await cf.kv.namespaces.values.get(NS, "sdk6:dir/file", { account_id: ACCOUNT })).text()).toBe("in a dir");
    await cf.kv.namespaces.values.delete(NS, "sdk6:dir/file", { account_id: ACCOUNT });
    await expect(cf.kv.namespaces.values.get(NS, "sdk6:dir/file", { account_id: ACCOUNT })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("6.x: bulkUpdate, keys.list over several pages, bulkDelete", async () => {
    const cf = sdk6(stack);
    const keys = Array.from({ length: 25 }, (_, i) => `sdk6:page:${String(i).padStart(2, "0")}`);
    const written = await cf.kv.namespaces.bulkUpdate(NS, { account_id: ACCOUNT, body: keys.map((key) => ({ key, value: key, metadata: { i: key } })) });
    expect(written).toEqual({ successful_key_count: 25, unsuccessful_keys: [] });
    const seen: string[] = [];
    for await (const key of cf.kv.namespaces.keys.list(NS, { account_id: ACCOUNT, prefix: "sdk6:page:", limit: 10 })) seen.push(key.name);
    expect(seen).toEqual(keys);
    expect(await cf.kv.namespaces.bulkDelete(NS, { account_id: ACCOUNT, body: keys })).toEqual({ successful_key_count: 25, unsuccessful_keys: [] });
    const page = await cf.kv.namespaces.keys.list(NS, { account_id: ACCOUNT, prefix: "sdk6:page:" });
    expect(page.result).toEqual([]);
  });

  it("6.x and 7.x: namespaces.list ends after the one namespace", async () => {
    const six: string[] = [];
    for await (const ns of sdk6(stack).kv.namespaces.list({ account_id: ACCOUNT })) six.push(ns.id);
    const seven: string[] = [];
    for await (const ns of sdk7(stack).kv.namespaces.list({ account_id: ACCOUNT })) seven.push(ns.id);
    expect(six).toEqual([NS]);
    expect(seven).toEqual([NS]);
  });

  it("7.x: values.update keeps the value and drops the bracket-flattened metadata", async () => {
    const cf = sdk7(stack);
    await cf.kv.namespaces.values.update("sdk7:a", { account_id: ACCOUNT, namespace_id: NS, value: "value 7", metadata: { owner: "tenant-a" } });
    expect(await (await cf.kv.namespaces.values.get("sdk7:a", { account_id: ACCOUNT, namespace_id: NS })).text()).toBe("value 7");
    expect(await cf.kv.namespaces.metadata.get("sdk7:a", { account_id: ACCOUNT, namespace_id: NS })).toBeNull();
    const seen: string[] = [];
    await cf.kv.namespaces.bulkUpdate(NS, { account_id: ACCOUNT, body: Array.from({ length: 12 }, (_, i) => ({ key: `sdk7:p:${String(i).padStart(2, "0")}`, value: "v" })) });
    for await (const key of cf.kv.namespaces.keys.list(NS, { account_id: ACCOUNT, prefix: "sdk7:p:", limit: 10 })) seen.push(key.name);
    expect(seen).toHaveLength(12);
  });
});

describe("a plan written by the SDK as multipart", () => {
  it("is the plan the dispatcher applies", async () => {
    const source = "export default { async fetch(req, env) { const n = Number(new URL(req.url).searchParams.get('n')); for (let i = 0; i < n; i++) await (await fetch(env.TARGET_URL)).text(); return new Response('ok ' + n); } }";
    const form = new FormData();
    form.append("metadata", new Blob([JSON.stringify({
      main_module: "index.js",
      bindings: [{ type: "plain_text", name: "TARGET_URL", text: `${stack.urls.api}/_local/echo` }],
    })]));
    form.append("index.js", new Blob([source], { type: "application/javascript+module" }), "index.js");
    const upload = await fetch(`${stack.urls.api}/client/v4/accounts/${ACCOUNT}/workers/dispatch/namespaces/${stack.namespace}/scripts/kv-fanout`,
      { method: "PUT", body: form, headers: { authorization: `Bearer ${stack.apiToken}` } });
    expect(upload.status).toBe(201);
    const cf = sdk6(stack);
    // 25 subrequests: more than the default plan's 10, fewer than the built-in pro plan's 100.
    await cf.kv.namespaces.values.update(NS, "plan:kv-sdk", { account_id: ACCOUNT, value: planRecord({ cpuMs: 50, subRequests: 25 }), metadata: { by: "sdk6" } });
    await cf.kv.namespaces.values.update(NS, "tenant:kv-fanout", { account_id: ACCOUNT, value: assignmentRecord({ plan: "kv-sdk", suspended: false }), metadata: { by: "sdk6" } });
    const under = await fetch(new URL("/kv-fanout/?n=20", stack.urls.dispatcher));
    expect(under.status).toBe(200);
    expect(await under.text()).toBe("ok 20");
    const over = await fetch(new URL("/kv-fanout/?n=30", stack.urls.dispatcher));
    expect(over.status).toBe(503);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe("subrequest_limit_exceeded");
  });
});

// Last in the file: the clock control leaves the KV store with a 1 KiB value limit (kv-clock.ts).
describe("expiry", { timeout: 180_000 }, () => {
  it("removes a key put with --ttl 60 once 60 s have passed, and one with an absolute expiration at its time", async () => {
    const clock = await kvClock(stack.mf, NS);
    const cf = sdk6(stack);
    const frozenAt = Date.now();
    await clock.freeze(frozenAt);
    try {
      await wrangler.ok(["kv", "key", "put", "exp:ttl", "short-lived", ...REMOTE, "--ttl", "60"]);
      const expiresAt = nowSeconds() + 120;
      await cf.kv.namespaces.values.update(NS, "exp:abs", { account_id: ACCOUNT, value: "until then", expiration: expiresAt });
      expect(await wrangler.ok(["kv", "key", "get", "exp:ttl", ...REMOTE])).toBe("short-lived");
      await clock.advance(61_000);
      const gone = await wrangler.run(["kv", "key", "get", "exp:ttl", ...REMOTE]);
      expect(gone.stderr + gone.stdout.toString()).toContain("404: Not Found");
      expect((await cf.kv.namespaces.keys.list(NS, { account_id: ACCOUNT, prefix: "exp:" })).result.map((k) => k.name)).toEqual(["exp:abs"]);
      expect(await (await cf.kv.namespaces.values.get(NS, "exp:abs", { account_id: ACCOUNT })).text()).toBe("until then");
      // To one second past the absolute expiration, on the store's clock.
      await clock.advance(expiresAt * 1000 - (frozenAt + 61_000) + 1000);
      await expect(cf.kv.namespaces.values.get(NS, "exp:abs", { account_id: ACCOUNT })).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await clock.release();
    }
  });
});
