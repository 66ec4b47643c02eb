/**
 * The Worker entry as deployed: production vars from wrangler.jsonc and a real
 * (local) KV namespace inside workerd. The namespace binding can only run
 * remotely, so calls that reach a tenant go through `worker.fetch()` with a
 * fake namespace; `exports.default` covers answers given before dispatch.
 * The default export uses the isolate cache, so every test uses its own tenant.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { FakeNamespace, echo, errorOf, type Echoed } from "./fakes.ts";

/** Requests as the runtime hands them to a Worker (with incoming `cf` properties). */
const IncomingRequest = Request<unknown, IncomingRequestCfProperties>;

async function call(request: Request<unknown, IncomingRequestCfProperties>, ns: FakeNamespace): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, DISPATCHER: ns }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("default export with the production config", () => {
  it("routes by subdomain and applies a plan stored in KV", async () => {
    await env.PLANS.put("tenant:wk-gold", JSON.stringify({ plan: "wk-gold-plan" }));
    await env.PLANS.put("plan:wk-gold-plan", JSON.stringify({ cpuMs: 123, subRequests: 45 }));
    const ns = new FakeNamespace();
    ns.tenants.set("wk-gold", echo);
    const res = await call(new IncomingRequest("http://wk-gold.tenants.example.com/x?y=1", { headers: { "x-tenantscope-plan": "enterprise" } }), ns);
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => [c.name, c.args, c.options])).toEqual([["wk-gold", {}, { limits: { cpuMs: 123, subRequests: 45 } }]]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://wk-gold.tenants.example.com/x?y=1");
    expect(seen.headers["x-tenantscope-plan"]).toBe("wk-gold-plan");
  });

  it("routes a custom hostname from the KV host map", async () => {
    await env.PLANS.put("host:shop.wk-test.org", "wk-shop");
    const ns = new FakeNamespace();
    ns.tenants.set("wk-shop", echo);
    const res = await call(new IncomingRequest("http://SHOP.wk-test.org:8443/cart"), ns);
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["wk-shop"]);
  });

  it("maps a tenant exception from the namespace", async () => {
    const ns = new FakeNamespace();
    ns.tenants.set("wk-thrower", () => {
      throw new TypeError("boom");
    });
    const res = await call(new IncomingRequest("http://tenants.example.com/wk-thrower/"), ns);
    expect(res.status).toBe(500);
    expect(await errorOf(res)).toEqual({ code: "tenant_exception", message: "boom" });
  });
});

describe("exports.default inside workerd (no tenant reached)", () => {
  it("rejects an invalid name with 400", async () => {
    const res = await exports.default.fetch("http://tenants.example.com/Bad_Name/");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_tenant_name");
  });

  it("answers 404 when nothing routes", async () => {
    const res = await exports.default.fetch("http://nothing-routes.wk-test.org/");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("tenant_not_found");
  });

  it("answers 403 for a tenant suspended in KV", async () => {
    await env.PLANS.put("tenant:wk-suspended", JSON.stringify({ plan: "pro", suspended: true }));
    const res = await exports.default.fetch("http://wk-suspended.tenants.example.com/");
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({ code: "tenant_suspended", message: 'Tenant "wk-suspended" is suspended.' });
  });
});
