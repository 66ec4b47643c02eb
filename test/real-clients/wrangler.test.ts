/**
 * wrangler, unchanged, against the local Cloudflare API: `dispatch-namespace`
 * commands, and `deploy --dispatch-namespace` of a small module Worker (two modules,
 * a var, a source map, observability, the Tail Worker as tail consumer), a secret
 * set in between through the REST API and kept by wrangler's `keep_bindings`, then a
 * request through the dispatcher that shows the var and the secret, and lands in
 * Analytics Engine with the version wrangler printed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATASET, col, sampledCount } from "@tenantscope/core/schema";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { sql } from "../ae.ts";
import { NamespaceClient } from "../namespace-client.ts";
import { WRANGLER_VERSION, tempHome, wrangler } from "./wrangler.ts";

let stack: Stack;
let home: string;
let project: string;
let ns: NamespaceClient;

const INDEX = `import { greet } from "./greet.js";
export default { fetch(request, env) { return new Response(greet(env.GREETING) + " secret=" + (env.API_KEY ?? "none")); } };`;
const GREET = "export function greet(word) { return word + \", from two modules\"; }";

function writeProject(dir: string, vars: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), INDEX);
  writeFileSync(join(dir, "greet.js"), GREET);
  writeFileSync(join(dir, "wrangler.jsonc"), JSON.stringify({
    name: "wr-app",
    main: "index.js",
    compatibility_date: "2026-11-01",
    vars,
    upload_source_maps: true,
    observability: { enabled: true },
    tail_consumers: [{ service: "tenantscope-tail" }],
    workers_dev: false,
  }, null, 2));
}

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {}, tenantLog: () => {} });
  ns = new NamespaceClient(stack);
  // Unseeded: the namespace the dispatcher is bound to is created as a platform would.
  await ns.createNamed(stack.namespace);
  home = tempHome();
  project = join(home, "project");
  writeProject(project, { GREETING: "hello" });
});
afterAll(async () => {
  await stack.dispose();
});

describe(`wrangler ${WRANGLER_VERSION} against the local API`, () => {
  it("records the client version", () => {
    expect(WRANGLER_VERSION).toMatch(/^4\.\d+\.\d+$/);
  });

  it("creates, lists and gets a dispatch namespace, and fails a rename with Cloudflare's refusal", async () => {
    const created = await wrangler(stack, ["dispatch-namespace", "create", "wr-space"], { cwd: home, home });
    expect(created.code, created.out).toBe(0);
    expect(created.out).toMatch(/Created dispatch namespace "wr-space" with ID "[0-9a-f-]{36}"/);
    const listed = await wrangler(stack, ["dispatch-namespace", "list"], { cwd: home, home });
    expect(listed.out).toContain("namespace_name: 'wr-space'");
    const got = await wrangler(stack, ["dispatch-namespace", "get", "wr-space"], { cwd: home, home });
    expect(got.out).toContain("trusted_workers: false");
    const renamed = await wrangler(stack, ["dispatch-namespace", "rename", "wr-space", "wr-other"], { cwd: home, home });
    expect(renamed.code).not.toBe(0);
    expect(renamed.out).toContain("renaming dispatch namespaces is not supported");
    // Not taken for an authentication problem (codes 10000/9106 start wrangler's login diagnostics).
    expect(renamed.out).not.toContain("custom API token");
    const deleted = await wrangler(stack, ["dispatch-namespace", "delete", "wr-space"], { cwd: home, home });
    expect(deleted.out).toContain('Deleted dispatch namespace "wr-space"');
  });

  let versionId = "";

  it("deploys a new module Worker into the dispatch namespace", async () => {
    const run = await wrangler(stack, ["deploy", "--dispatch-namespace", stack.namespace], { cwd: project, home });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("Worker Startup Time:");
    const id = /Current Version ID: ([0-9a-f-]{36})/.exec(run.out);
    expect(id, run.out).not.toBeNull();
    versionId = id?.[1] ?? "";
    const script = await ns.api<{ script: { main_module: string; tail_consumers: { service: string }[] } }>(`/${stack.namespace}/scripts/wr-app`);
    expect(script.body.result.script.tail_consumers).toEqual([{ service: "tenantscope-tail" }]);
  });

  it("keeps a secret set since through the API when it deploys again (keep_bindings), and serves the new var", async () => {
    const secret = await ns.api(`/${stack.namespace}/scripts/wr-app/secrets`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "API_KEY", text: "kept", type: "secret_text" }),
    });
    expect(secret.status).toBe(200);
    writeProject(project, { GREETING: "bonjour" });
    const run = await wrangler(stack, ["deploy", "--dispatch-namespace", stack.namespace], { cwd: project, home });
    expect(run.code, run.out).toBe(0);
    versionId = /Current Version ID: ([0-9a-f-]{36})/.exec(run.out)?.[1] ?? "";
    const res = await fetch(`${stack.urls.dispatcher}/wr-app/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("bonjour, from two modules secret=kept");
  });

  it("lands that request in Analytics Engine, with the version wrangler printed", async () => {
    const deadline = Date.now() + 20_000;
    let rows: { n: number; version: string }[] = [];
    while (Date.now() < deadline) {
      const answer = await sql<{ n: number; version: string }>(stack,
        `SELECT ${sampledCount()} AS n, ${col("scriptVersion")} AS version FROM ${DATASET} WHERE ${col("tenant")} = 'wr-app' GROUP BY version`).catch(() => null);
      rows = answer?.data ?? [];
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toEqual([{ n: 1, version: versionId }]);
  });
});
