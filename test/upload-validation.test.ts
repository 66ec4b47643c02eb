/**
 * Upload validation on the real runtime: every upload is loaded once in a fresh
 * isolate of a tenant process before it is stored, so what Cloudflare refuses at
 * upload is refused here, with code 10021 and the runtime's text, and nothing is
 * stored (a version already there keeps serving).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { NamespaceClient } from "./namespace-client.ts";

let stack: Stack;
let ns: NamespaceClient;

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {}, tenantLog: () => {} });
  ns = new NamespaceClient(stack);
});
afterAll(async () => {
  await stack.dispose();
});

const GOOD = 'export default { fetch() { return new Response("v1"); } };';

describe("an upload is loaded before it is stored", () => {
  it("refuses what fails to load, with Cloudflare's code and the runtime's text, and keeps the version already there", async () => {
    const n = await ns.createNamespace("probe");
    expect((await ns.upload(n, "app", GOOD)).status).toBe(201);
    const cases: [string, string, Record<string, unknown>][] = [
      ["export default { fetch() { return 1 } ;;; ]", "Uncaught SyntaxError: Unexpected token", {}],
      ["const x = 1;\nthrow new Error('boom at load');\nexport default {};", "Uncaught Error: boom at load\n  at index.js:2:7", {}],
      ['import x from "./nope.js"; export default { fetch() { return new Response(x); } };', 'Uncaught Error: No such module "nope.js".', {}],
      [GOOD, "No such compatibility flag: no_such_flag_anywhere", { compatibility_flags: ["no_such_flag_anywhere"] }],
    ];
    for (const [source, message, metadata] of cases) {
      const res = await ns.upload(n, "app", source, { metadata });
      expect(res.status, message).toBe(400);
      expect(res.body.errors[0]?.code).toBe(10021);
      expect(res.body.errors[0]?.message).toContain(message);
    }
    const still = await ns.call(n, "app");
    expect(await still.text()).toBe("v1");
  });

  it("refuses a global scope that runs past the startup limit, and the runtime keeps answering", async () => {
    const n = await ns.createNamespace("startup");
    const res = await ns.upload(n, "spin", "for (;;) {}\nexport default {};");
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({ code: 10021, message: "Error: Script startup exceeded CPU time limit." });
    expect((await ns.api(`/${n}/scripts/spin`)).status).toBe(404);
    expect((await ns.upload(n, "fine", GOOD)).status).toBe(201);
    expect(await (await ns.call(n, "fine")).text()).toBe("v1");
  });

  it("answers the SDK 7's multipart-as-javascript upload as Cloudflare does (cloudflare-typescript#2799)", async () => {
    const n = await ns.createNamespace("sdk7");
    const boundary = "----formdata-undici-0123456789";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="metadata[main_module]"\r\n\r\nindex.js\r\n--${boundary}--\r\n`;
    const res = await ns.api(`/${n}/scripts/app`, { method: "PUT", headers: { "content-type": "application/javascript" }, body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]?.code).toBe(10021);
    expect(res.body.errors[0]?.message).toMatch(/^Uncaught SyntaxError: Invalid left-hand side expression in prefix operation\n {2}at worker\.js:1:/);
    expect((await ns.api(`/${n}/scripts/app`)).status).toBe(404);
  });

  it("reports the startup CPU as startup_time_ms", async () => {
    const n = await ns.createNamespace("startup-ms");
    const slow = "let s = 0; for (let i = 0; i < 2e7; i++) s += i;\nexport default { fetch() { return new Response(String(s)); } };";
    const res = await ns.upload(n, "slow", slow);
    expect(res.status).toBe(201);
    expect(res.body.result.startup_time_ms).toBeGreaterThan(2);
  });
});
