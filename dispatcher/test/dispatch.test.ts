import { describe, expect, it } from "vitest";
import { echo, setup, type Echoed } from "./fakes.ts";

describe("the request the tenant sees", () => {
  it("drops every inbound x-tenantscope-* header, so a client cannot spoof its plan", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const res = await s.request("http://acme.tenants.example.com/", {
      headers: {
        "x-tenantscope-plan": "enterprise",
        "x-tenantscope-limits": '{"cpuMs":300000,"subRequests":10000000}',
        "X-TenantScope-Tenant": "someone-else",
        "x-tenantscope-anything": "1",
        authorization: "Bearer t",
        "x-tenantscopes": "not ours",
        cookie: "a=1; b=2",
      },
    });
    const seen: Echoed = await res.json();
    const ours = Object.keys(seen.headers).filter((h) => h.startsWith("x-tenantscope-")).sort();
    expect(ours).toEqual(["x-tenantscope-limits", "x-tenantscope-plan", "x-tenantscope-tenant"]);
    expect(seen.headers["x-tenantscope-tenant"]).toBe("acme");
    expect(seen.headers["x-tenantscope-plan"]).toBe("free");
    expect(seen.headers["x-tenantscope-limits"]).toBe('{"cpuMs":10,"subRequests":10}');
    expect(seen.headers.authorization).toBe("Bearer t");
    expect(seen.headers.cookie).toBe("a=1; b=2");
    expect(seen.headers["x-tenantscopes"]).toBe("not ours");
  });

  it("routes by the tenant header before stripping it", async () => {
    const s = setup({ ROUTING: "header" });
    s.ns.tenants.set("acme", echo);
    const seen: Echoed = await (await s.request("http://tenants.example.com/", { headers: { "x-tenantscope-tenant": "acme", "x-tenantscope-plan": "pro" } })).json();
    expect(s.ns.calls.map((c) => c.name)).toEqual(["acme"]);
    expect(seen.headers["x-tenantscope-plan"]).toBe("free");
  });

  it("keeps the method and streams the body through", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const chunks = ["first,", "second,", "third"];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    const res = await s.request("http://tenants.example.com/acme/upload?x=1", { method: "PUT", body, headers: { "content-type": "text/plain" } });
    const seen: Echoed = await res.json();
    expect(seen.method).toBe("PUT");
    expect(seen.body).toBe("first,second,third");
    expect(seen.url).toBe("http://tenants.example.com/upload?x=1");
    expect(seen.headers["content-type"]).toBe("text/plain");
  });

  it("passes GET without a body, DELETE and POST bodies", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const get: Echoed = await (await s.request("http://tenants.example.com/acme/")).json();
    expect([get.method, get.body]).toEqual(["GET", null]);
    const del: Echoed = await (await s.request("http://tenants.example.com/acme/x", { method: "DELETE" })).json();
    expect(del.method).toBe("DELETE");
    const post: Echoed = await (await s.request("http://tenants.example.com/acme/", { method: "POST", body: JSON.stringify({ a: 1 }) })).json();
    expect([post.method, post.body]).toEqual(["POST", '{"a":1}']);
  });

  it("keeps the request's cf properties", async () => {
    const s = setup();
    let cf: unknown;
    s.ns.tenants.set("acme", (request) => {
      cf = request.cf;
      return new Response("ok");
    });
    const incoming = new Request("http://tenants.example.com/acme/", { cf: { cacheTtl: 7 } });
    expect((await s.app.request(incoming, undefined, s.env)).status).toBe(200);
    expect(cf).toEqual({ cacheTtl: 7 });
  });

  it("passes HEAD through as HEAD, with the tenant's status and headers", async () => {
    const s = setup();
    let method = "";
    s.ns.tenants.set("acme", (request) => {
      method = request.method;
      return new Response(null, { status: 204, headers: { etag: '"v1"' } });
    });
    const res = await s.request("http://tenants.example.com/acme/", { method: "HEAD" });
    expect(method).toBe("HEAD");
    expect(res.status).toBe(204);
    expect(res.headers.get("etag")).toBe('"v1"');
  });

  it("leaves redirects to the tenant (redirect: manual)", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const seen: Echoed = await (await s.request("http://tenants.example.com/acme/", { redirect: "follow" })).json();
    expect(seen.redirect).toBe("manual");
  });
});

describe("the tenant's response", () => {
  it("comes back unchanged: status, headers, cookies and streamed body", async () => {
    const s = setup();
    s.ns.tenants.set("acme", () => {
      const headers = new Headers({ location: "/elsewhere", "x-custom": "yes", "x-tenantscope-from-tenant": "kept" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("moved "));
          controller.enqueue(new TextEncoder().encode("away"));
          controller.close();
        },
      });
      return new Response(body, { status: 302, statusText: "Found", headers });
    });
    const res = await s.request("http://tenants.example.com/acme/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/elsewhere");
    expect(res.headers.get("x-custom")).toBe("yes");
    expect(res.headers.get("x-tenantscope-from-tenant")).toBe("kept");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await res.text()).toBe("moved away");
  });

  it("a tenant's own 404 or 500 is not rewritten into a dispatcher error", async () => {
    const s = setup();
    s.ns.tenants.set("acme", () => new Response("nothing here", { status: 404 }));
    s.ns.tenants.set("oops", () => new Response("tenant says 500", { status: 500 }));
    const notFound = await s.request("http://tenants.example.com/acme/");
    expect([notFound.status, await notFound.text()]).toEqual([404, "nothing here"]);
    const failed = await s.request("http://tenants.example.com/oops/");
    expect([failed.status, await failed.text()]).toEqual([500, "tenant says 500"]);
  });
});
