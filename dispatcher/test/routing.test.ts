import { describe, expect, it } from "vitest";
import { echo, errorOf, setup, type Echoed } from "./fakes.ts";

/** A setup with `hello` and `other` deployed as echo tenants. */
function withTenants(vars: Parameters<typeof setup>[0] = {}) {
  const s = setup(vars);
  s.ns.tenants.set("hello", echo);
  s.ns.tenants.set("other", echo);
  return s;
}

describe("subdomain routing", () => {
  it("routes <tenant>.<PLATFORM_DOMAIN> and leaves the URL alone", async () => {
    const { ns, request } = withTenants();
    const res = await request("http://hello.tenants.example.com/a/b?c=1");
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://hello.tenants.example.com/a/b?c=1");
  });

  it("matches the host case-insensitively and drops the port", async () => {
    const { ns, request } = withTenants();
    const res = await request("http://Hello.Tenants.Example.com:8787/");
    expect(res.status).toBe(200);
    const upper = await request("http://HELLO.TENANTS.EXAMPLE.COM:8443/x");
    expect(upper.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello", "hello"]);
  });

  it("accepts an absolute host with a trailing dot", async () => {
    const { ns, request } = withTenants();
    expect((await request("http://hello.tenants.example.com./")).status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
  });

  it("does not match the platform domain itself or another domain", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "subdomain" });
    for (const url of ["http://tenants.example.com/", "http://hello.example.org/", "http://hellotenants.example.com/"]) {
      const res = await request(url);
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe("tenant_not_found");
    }
    expect(ns.calls).toEqual([]);
    expect(kv.reads).toEqual([]);
  });
});

describe("path routing", () => {
  it("strips the /<tenant> prefix and keeps the query string", async () => {
    const { ns, request } = withTenants();
    const cases: Array<[string, string]> = [
      ["http://tenants.example.com/hello/a?b", "http://tenants.example.com/a?b"],
      ["http://tenants.example.com/hello/a/b/?x=1&y=2", "http://tenants.example.com/a/b/?x=1&y=2"],
      ["http://tenants.example.com/hello", "http://tenants.example.com/"],
      ["http://tenants.example.com/hello/", "http://tenants.example.com/"],
      ["http://tenants.example.com/hello?q=%2F", "http://tenants.example.com/?q=%2F"],
    ];
    for (const [sent, expected] of cases) {
      const res = await request(sent);
      expect(res.status, sent).toBe(200);
      const seen: Echoed = await res.json();
      expect(seen.url, sent).toBe(expected);
    }
    expect(ns.calls.every((c) => c.name === "hello")).toBe(true);
  });

  it("does not match the root path", async () => {
    const { ns, request } = withTenants({ ROUTING: "path" });
    const res = await request("http://tenants.example.com/?hello");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toEqual({ code: "tenant_not_found", message: expect.stringContaining("No tenant could be determined") });
    expect(ns.calls).toEqual([]);
  });
});

describe("header routing", () => {
  it("routes by TENANT_HEADER and keeps the path", async () => {
    const { ns, request } = withTenants();
    const res = await request("http://tenants.example.com/", { headers: { "x-tenantscope-tenant": "hello" } });
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://tenants.example.com/");
  });

  it("reads a configured header name, case-insensitively", async () => {
    const { ns, request } = withTenants({ ROUTING: "header", TENANT_HEADER: "X-Customer" });
    const res = await request("http://tenants.example.com/some/path", { headers: { "x-customer": " hello " } });
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://tenants.example.com/some/path");
  });
});

describe("hostmap routing", () => {
  it("maps a custom hostname through KV, normalised, and caches the answer", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "hostmap" });
    await kv.put("host:shop.example.org", "hello");
    const res = await request("http://Shop.Example.ORG:8080/cart");
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    expect(kv.reads[0]).toBe("host:shop.example.org");
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://shop.example.org:8080/cart");

    kv.reads.length = 0;
    expect((await request("http://shop.example.org/")).status).toBe(200);
    expect(kv.reads).toEqual([]);
  });

  it("answers 404 for an unmapped host, and caches the miss", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "hostmap" });
    expect((await request("http://unknown.example.org/")).status).toBe(404);
    expect((await request("http://unknown.example.org/")).status).toBe(404);
    expect(kv.reads).toEqual(["host:unknown.example.org"]);
    expect(ns.calls).toEqual([]);
  });

  it("answers a KV failure during routing with 503 routing_unavailable and Retry-After, and does not cache it", async () => {
    const { ns, kv, logs, request } = withTenants({ ROUTING: "hostmap" });
    kv.failing = true;
    const res = await request("http://shop.example.org/");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const error = await errorOf(res);
    expect(error.code).toBe("routing_unavailable");
    expect(error.message).not.toMatch(/KV|503/);
    expect(logs).toEqual([expect.stringContaining('KV read for host "shop.example.org" failed (Error: KV GET failed')]);
    expect(ns.calls).toEqual([]);
    kv.failing = false;
    await kv.put("host:shop.example.org", "hello");
    expect((await request("http://shop.example.org/")).status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
  });

  it("never looks up the platform domain itself, so apex path routing needs no KV", async () => {
    const { ns, kv, request } = withTenants();
    kv.failing = true;
    const res = await request("http://Tenants.Example.com:443/hello/x");
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    expect(kv.reads.filter((k) => k.startsWith("host:"))).toEqual([]);
  });

  it("on another host, a bad path name costs one cached host lookup and nothing else", async () => {
    const { ns, kv, request } = withTenants();
    expect((await request("http://localhost/Bad/")).status).toBe(400);
    expect((await request("http://localhost/Bad/")).status).toBe(400);
    expect(kv.reads).toEqual(["host:localhost"]);
    expect(ns.calls).toEqual([]);
  });

  it("rejects a mapped value that is not a tenant name", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "hostmap" });
    await kv.put("host:shop.example.org", "Not_A_Name");
    const res = await request("http://shop.example.org/");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_tenant_name");
    expect(ns.calls).toEqual([]);
  });
});

describe("strategy order", () => {
  const url = "http://hello.tenants.example.com/other/x";

  it("production order lets a custom hostname keep its paths (path routing goes last)", async () => {
    const { ns, kv, request } = withTenants();
    await kv.put("host:shop.example.org", "hello");
    const res = await request("http://shop.example.org/other/x");
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe("http://shop.example.org/other/x");
    // Without a mapping, the same shape of URL routes by path.
    expect((await request("http://localhost/other/x")).status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello", "other"]);
  });

  it("a path-first order would take a custom hostname's path as the tenant", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "subdomain,path,hostmap" });
    await kv.put("host:shop.example.org", "hello");
    await request("http://shop.example.org/other/x");
    expect(ns.calls.map((c) => c.name)).toEqual(["other"]);
  });

  it("tries the configured strategies in order (production: subdomain first)", async () => {
    const { ns, request } = withTenants();
    const seen: Echoed = await (await request(url, { headers: { "x-tenantscope-tenant": "third" } })).json();
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    expect(seen.url).toBe(url);
  });

  it("path before subdomain picks the path and strips it", async () => {
    const { ns, request } = withTenants({ ROUTING: "path,subdomain" });
    const seen: Echoed = await (await request(url)).json();
    expect(ns.calls.map((c) => c.name)).toEqual(["other"]);
    expect(seen.url).toBe("http://hello.tenants.example.com/x");
  });

  it("header first wins over both", async () => {
    const { ns, request } = withTenants({ ROUTING: "header, path ,subdomain" });
    const res = await request(url, { headers: { "x-tenantscope-tenant": "hello" } });
    expect(res.status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["hello"]);
    const seen: Echoed = await res.json();
    expect(seen.url).toBe(url);
  });

  it("falls through to later strategies when earlier ones yield nothing", async () => {
    const { ns, kv, request } = withTenants();
    await kv.put("host:shop.example.org", "other");
    // subdomain: other domain; path: "/"; header: absent; hostmap: found.
    expect((await request("http://shop.example.org/")).status).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(["other"]);
  });

  it("leaves out strategies that are not configured", async () => {
    const { ns, kv, request } = withTenants({ ROUTING: "subdomain" });
    await kv.put("host:localhost", "hello");
    const res = await request("http://localhost/hello/", { headers: { "x-tenantscope-tenant": "hello" } });
    expect(res.status).toBe(404);
    expect(ns.calls).toEqual([]);
    expect(kv.reads).toEqual([]);
  });
});

describe("invalid tenant names are rejected before any lookup", () => {
  const bad: Array<[string, string, RequestInit?]> = [
    ["upper case in the path", "http://tenants.example.com/Hello/"],
    ["upper case in the header", "http://tenants.example.com/", { headers: { "x-tenantscope-tenant": "HELLO" } }],
    ["underscore in the path", "http://tenants.example.com/he_llo/x"],
    ["underscore in the subdomain", "http://he_llo.tenants.example.com/"],
    ["64 characters", `http://tenants.example.com/${"a".repeat(64)}/`],
    ["leading dash", "http://tenants.example.com/-hello/"],
    ["trailing dash", "http://-hello-.tenants.example.com/"],
    ["multi-label subdomain", "http://a.b.tenants.example.com/"],
    ["percent-encoded name", "http://tenants.example.com/h%65llo/"],
    ["empty header", "http://tenants.example.com/", { headers: { "x-tenantscope-tenant": "" } }],
  ];

  it.each(bad)("%s", async (_label, url, init) => {
    const { ns, kv, request } = withTenants();
    const res = await request(url, init);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_tenant_name");
    expect(error.message).toMatch(/is not a valid tenant name/);
    expect(kv.reads).toEqual([]);
    expect(ns.calls).toEqual([]);
  });

  it("accepts 63 characters, digits and inner dashes", async () => {
    const { ns, request } = withTenants();
    const names = ["a".repeat(63), "0", "a-b-9"];
    for (const name of names) ns.tenants.set(name, echo);
    for (const name of names) expect((await request(`http://tenants.example.com/${name}/`)).status, name).toBe(200);
    expect(ns.calls.map((c) => c.name)).toEqual(names);
  });
});
