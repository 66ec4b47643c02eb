/**
 * The official `cloudflare` SDK, unchanged, against the local API: namespaces, a
 * module upload in the format that works on Cloudflare (SDK 6), the script's
 * sub-resources, the script list paged by cursor over more than 1 000 scripts, and
 * SDK 7's malformed upload (cloudflare-typescript#2799) refused as Cloudflare
 * refuses it, next to the call shape that does work with SDK 7.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Cloudflare from "cloudflare";
import { CursorPagination } from "cloudflare/pagination";
import Cloudflare7 from "cloudflare7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";

const account_id = "local";
let stack: Stack;
let sdk: Cloudflare;
let sdk7: Cloudflare7;

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join(import.meta.dirname, "../node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

const INDEX = 'import { x } from "./lib.js"; export default { fetch(request, env) { return new Response(x + " " + env.GREETING); } };';
const LIB = 'export const x = "from the SDK";';
const module = (name: string, source: string) => new File([source], name, { type: "application/javascript+module" });

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {}, tenantLog: () => {} });
  const baseURL = `${stack.urls.api}/client/v4`;
  sdk = new Cloudflare({ apiToken: stack.apiToken, baseURL });
  sdk7 = new Cloudflare7({ apiToken: stack.apiToken, baseURL });
});
afterAll(async () => {
  await stack.dispose();
});

describe(`the cloudflare SDK ${versionOf("cloudflare")} and ${versionOf("cloudflare7")}`, () => {
  it("records the client versions", () => {
    expect(versionOf("cloudflare")).toMatch(/^6\./);
    expect(versionOf("cloudflare7")).toMatch(/^7\./);
  });

  it("creates, lists, gets and deletes namespaces, and does not retry a 409", async () => {
    const wfp = sdk.workersForPlatforms.dispatch.namespaces;
    const created = await wfp.create({ account_id, name: "sdk-space" });
    expect(created).toMatchObject({ namespace_name: "sdk-space", trusted_workers: false });
    const names = [];
    for await (const n of wfp.list({ account_id })) names.push(n.namespace_name);
    expect(names).toContain("sdk-space");
    expect((await wfp.get("sdk-space", { account_id })).namespace_id).toBe(created.namespace_id);
    const dup = await wfp.create({ account_id, name: "sdk-space" }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(Cloudflare.ConflictError);
    await wfp.delete("sdk-space", { account_id });
    await expect(wfp.get("sdk-space", { account_id })).rejects.toBeInstanceOf(Cloudflare.NotFoundError);
  });

  it("uploads a module Worker (every module a part named files) that the dispatcher serves, and reads it back", async () => {
    const ns = stack.namespace;
    await sdk.workersForPlatforms.dispatch.namespaces.create({ account_id, name: ns });
    const scripts = sdk.workersForPlatforms.dispatch.namespaces.scripts;
    const up = await scripts.update(ns, "sdk-app", {
      account_id,
      metadata: { main_module: "index.js", compatibility_date: "2026-11-01", bindings: [{ type: "plain_text", name: "GREETING", text: "hi" }], tags: ["customer-7"] },
      files: [module("index.js", INDEX), module("lib.js", LIB), new File(["{}"], "index.js.map", { type: "application/source-map" })],
    });
    expect(up.startup_time_ms).toBeGreaterThanOrEqual(0);
    expect(up.tags).toEqual(["customer-7"]);
    expect(await (await fetch(`${stack.urls.dispatcher}/sdk-app/`)).text()).toBe("from the SDK hi");
    expect((await scripts.get(ns, "sdk-app", { account_id })).script?.id).toBe("sdk-app");

    await scripts.tags.update(ns, "sdk-app", { account_id, body: ["customer-7", "production"] });
    const tags = [];
    for await (const t of scripts.tags.list(ns, "sdk-app", { account_id })) tags.push(t);
    expect(tags).toEqual(["customer-7", "production"]);
    await scripts.tags.delete(ns, "sdk-app", "production", { account_id });

    await scripts.secrets.update(ns, "sdk-app", { account_id, name: "API_KEY", text: "s3cr3t", type: "secret_text" });
    const secrets = [];
    for await (const s of scripts.secrets.list(ns, "sdk-app", { account_id })) secrets.push(s);
    expect(secrets).toEqual([{ name: "API_KEY", type: "secret_text" }]);
    expect(await scripts.secrets.get(ns, "sdk-app", "API_KEY", { account_id })).toEqual({ name: "API_KEY", type: "secret_text" });

    const edited = await scripts.settings.edit(ns, "sdk-app", { account_id, settings: { observability: { enabled: true } } });
    expect(edited.observability).toEqual({ enabled: true });
    expect((await scripts.settings.get(ns, "sdk-app", { account_id })).tags).toEqual(["customer-7"]);
    const bindings = [];
    for await (const b of scripts.bindings.get(ns, "sdk-app", { account_id })) bindings.push(b);
    expect(bindings.map((b) => b.name)).toEqual(["GREETING", "API_KEY"]);
    const content = await scripts.content.get(ns, "sdk-app", { account_id });
    expect(await content.text()).toContain(LIB);

    await scripts.secrets.delete(ns, "sdk-app", "API_KEY", { account_id });
    await scripts.delete(ns, "sdk-app", { account_id });
    await expect(scripts.get(ns, "sdk-app", { account_id })).rejects.toBeInstanceOf(Cloudflare.NotFoundError);
  });

  it("refuses a module that does not parse with Cloudflare's 400", async () => {
    await sdk.workersForPlatforms.dispatch.namespaces.create({ account_id, name: "sdk-bad" });
    const error = await sdk.workersForPlatforms.dispatch.namespaces.scripts.update("sdk-bad", "broken", {
      account_id, metadata: { main_module: "index.js" }, files: [module("index.js", "export default {")],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(String(error)).toContain("Uncaught SyntaxError");
  });

  it("answers SDK 7's upload as Cloudflare does (400, code 10021), and takes the call shape that works", async () => {
    await sdk7.workersForPlatforms.dispatch.namespaces.create({ account_id, name: "sdk7-space" });
    const scripts = sdk7.workersForPlatforms.dispatch.namespaces.scripts;
    const error = await scripts.update("broken", {
      account_id, dispatch_namespace: "sdk7-space", metadata: { main_module: "index.js" }, files: [module("index.js", INDEX), module("lib.js", LIB)],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cloudflare7.BadRequestError);
    const body = (error as InstanceType<typeof Cloudflare7.BadRequestError>).error as { errors: { code: number; message: string }[] };
    expect(body.errors[0]?.code).toBe(10021);
    expect(body.errors[0]?.message).toMatch(/^Uncaught SyntaxError: Invalid left-hand side expression in prefix operation/);
    const ok = await scripts.update("works", {
      account_id, dispatch_namespace: "sdk7-space",
      metadata: new File([JSON.stringify({ main_module: "index.js", bindings: [{ type: "plain_text", name: "GREETING", text: "seven" }] })], "metadata", { type: "application/json" }) as never,
      files: [module("index.js", INDEX), module("lib.js", LIB)],
    }, { headers: { "Content-Type": null } });
    expect(ok.id).toBe("works");
  });

  it("pages the script list by cursor over more than 1 000 scripts", async () => {
    const ns = "sdk-many";
    await sdk.workersForPlatforms.dispatch.namespaces.create({ account_id, name: ns });
    const total = 1005;
    const names = Array.from({ length: total }, (_, i) => `s-${String(i).padStart(4, "0")}`);
    const source = 'export default { fetch() { return new Response("ok"); } };';
    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(names.slice(i, i + 16).map((name) => sdk.workersForPlatforms.dispatch.namespaces.scripts.update(ns, name, {
        account_id, metadata: { main_module: "index.js" }, files: [module("index.js", source)],
      })));
    }
    class ScriptPages extends CursorPagination<{ id: string }> {}
    const listed: string[] = [];
    for await (const s of sdk.getAPIList<{ id: string }, ScriptPages>(`/accounts/${account_id}/workers/dispatch/namespaces/${ns}/scripts`, ScriptPages, { query: { per_page: 400 } })) listed.push(s.id);
    expect(listed).toEqual(names);
  }, 300_000);
});
