import { describe, expect, it, vi } from "vitest";
import { echo, errorOf, setup } from "./fakes.ts";

/** A tenant that throws `error` from its fetch, as the namespace would surface it. */
function throwing(error: unknown) {
  return () => {
    throw error;
  };
}

describe("tenant errors", () => {
  const cases: Array<[string, unknown, number, string, string | RegExp]> = [
    ["Worker not found", new Error("Worker not found."), 404, "tenant_not_found", 'No tenant named "acme" is deployed.'],
    ["CPU limit", new Error("Worker exceeded CPU time limit."), 503, "cpu_limit_exceeded", 'Tenant "acme" exceeded its CPU time limit of 10 ms.'],
    [
      "subrequest limit (production appends a docs link)",
      new Error("Too many subrequests by single Worker invocation. To configure this limit, refer to https://developers.cloudflare.com/workers/wrangler/configuration/#limits"),
      503,
      "subrequest_limit_exceeded",
      'Tenant "acme" exceeded its limit of 10 subrequests.',
    ],
    ["any other exception keeps its message", new TypeError("boom"), 500, "tenant_exception", "boom"],
    ["a thrown string", "plain string", 500, "tenant_exception", "plain string"],
    ["an empty message", new Error(""), 500, "tenant_exception", 'Tenant "acme" threw an exception.'],
    ["a message that only mentions a limit later", new Error("oops: Worker exceeded CPU time limit"), 500, "tenant_exception", "oops: Worker exceeded CPU time limit"],
  ];

  it.each(cases)("%s", async (_label, thrown, status, code, message) => {
    const s = setup();
    s.ns.tenants.set("acme", throwing(thrown));
    const res = await s.request("http://tenants.example.com/acme/");
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toEqual({ code, message });
  });

  it("an unknown tenant is 404 through the namespace's own error", async () => {
    const s = setup();
    const res = await s.request("http://ghost.tenants.example.com/");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ code: "tenant_not_found", message: 'No tenant named "ghost" is deployed.' });
    expect(s.ns.calls.map((c) => c.name)).toEqual(["ghost"]);
  });

  it("names the limit of the tenant's plan", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "pro" });
    s.ns.tenants.set("acme", throwing(new Error("Too many subrequests by single Worker invocation.")));
    expect((await errorOf(await s.request("http://tenants.example.com/acme/"))).message).toBe('Tenant "acme" exceeded its limit of 100 subrequests.');
  });

  it("does not log tenant failures as dispatcher errors", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const s = setup();
      s.ns.tenants.set("acme", throwing(new TypeError("boom")));
      expect((await s.request("http://tenants.example.com/acme/")).status).toBe(500);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("isolation between tenants", () => {
  it("a throwing tenant does not affect the next request to another tenant", async () => {
    const s = setup();
    s.ns.tenants.set("thrower", throwing(new Error("tenant bug")));
    s.ns.tenants.set("burner", throwing(new Error("Worker exceeded CPU time limit.")));
    s.ns.tenants.set("hello", () => new Response("hi"));
    expect((await s.request("http://tenants.example.com/thrower/")).status).toBe(500);
    expect((await s.request("http://tenants.example.com/burner/")).status).toBe(503);
    const ok = await s.request("http://tenants.example.com/hello/");
    expect([ok.status, await ok.text()]).toEqual([200, "hi"]);
  });

  it("concurrent failures and successes each get their own answer", async () => {
    const s = setup();
    s.ns.tenants.set("thrower", async () => {
      await Promise.resolve();
      throw new Error("tenant bug");
    });
    s.ns.tenants.set("hello", echo);
    const urls = ["thrower", "hello", "thrower", "hello", "ghost", "hello"].map((t) => `http://tenants.example.com/${t}/`);
    const statuses = (await Promise.all(urls.map((u) => s.request(u)))).map((r) => r.status);
    expect(statuses).toEqual([500, 200, 500, 200, 404, 200]);
  });

  it("a failing tenant still resolves from cache and works again when fixed", async () => {
    const s = setup();
    s.ns.tenants.set("acme", throwing(new Error("bad deploy")));
    expect((await s.request("http://tenants.example.com/acme/")).status).toBe(500);
    s.ns.tenants.set("acme", () => new Response("fixed"));
    s.kv.reads.length = 0;
    const res = await s.request("http://tenants.example.com/acme/");
    expect([res.status, await res.text()]).toEqual([200, "fixed"]);
    expect(s.kv.reads).toEqual([]);
  });
});

describe("the dispatcher's own faults", () => {
  it("a bug outside worker.fetch() is internal_error: generic message, details logged", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const s = setup();
      s.ns.get = () => {
        throw new TypeError("secret internal detail");
      };
      const res = await s.request("http://tenants.example.com/acme/");
      expect(res.status).toBe(500);
      const error = await errorOf(res);
      expect(error.code).toBe("internal_error");
      expect(error.message).not.toContain("secret");
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ message: "secret internal detail" }));
    } finally {
      spy.mockRestore();
    }
  });

  it("unknown routing strategy names are a logged internal_error, before any lookup", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const s = setup({ ROUTING: "subdomain,carrier-pigeon" });
      s.ns.tenants.set("hello", echo);
      const res = await s.request("http://hello.tenants.example.com/");
      expect(res.status).toBe(500);
      expect((await errorOf(res)).code).toBe("internal_error");
      expect(spy).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ message: expect.stringContaining("carrier-pigeon") }));
      expect(s.kv.reads).toEqual([]);
      expect(s.ns.calls).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
