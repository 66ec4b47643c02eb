/**
 * Requests whose URL or Host the runtime hands over unchecked. The raw-TCP corpus
 * against the running stack is in test/malformed.test.ts; here the same rules are
 * checked on the dispatcher alone, with Hosts that `Request` lets through.
 */
import { describe, expect, it } from "vitest";
import { hostProblem } from "../src/target.ts";
import { echo, errorOf, setup } from "./fakes.ts";

function withHello() {
  const s = setup({ ROUTING: "subdomain,header,hostmap,path", PLATFORM_DOMAIN: "localhost" });
  s.ns.tenants.set("hello", echo);
  s.ns.tenants.set("evil", echo);
  return s;
}

describe("Host header syntax", () => {
  it.each([
    "hello.localhost",
    "hello.localhost:8787",
    "HELLO.LocalHost.",
    "127.0.0.1:8787",
    "[::1]:8787",
    "[::1]",
    "under_score.example.com",
  ])("accepts %s", (host) => {
    expect(hostProblem(host)).toBeNull();
  });

  it.each([
    ["", /empty/],
    ["a.example.com:99999", /port/],
    ["a.example.com:0", /port/],
    ["a.example.com:abc", /port/],
    ["a.example.com:", /port/],
    ["[::1", /does not close/],
    ["[::1]x", /after its IPv6/],
    ["[::g]", /IPv6 address holds/],
    ["a%00.example.com", /characters a host name cannot/],
    ["a b.example.com", /characters/],
    ["acme.localhost/evil", /characters/],
    ["user@acme.localhost", /characters/],
    ["acme.localhost?x", /characters/],
    ["acme.localhost#x", /characters/],
    ["acme\\.localhost", /characters/],
    ["*", /characters/],
  ])("refuses %j", (host, why) => {
    expect(hostProblem(host)).toMatch(why);
  });
});

describe("the dispatcher on a bad Host", () => {
  it("answers 400 invalid_request and calls no tenant", async () => {
    const { ns, kv, request } = withHello();
    for (const host of ["hello.localhost:99999", "hello.localhost/evil", "localhost/evil", "a b.localhost"]) {
      const res = await request("http://hello.localhost/", { headers: { host } });
      expect(res.status, host).toBe(400);
      expect((await errorOf(res)).code, host).toBe("invalid_request");
    }
    expect(ns.calls).toEqual([]);
    expect(kv.reads).toEqual([]);
  });

  it("refuses a Host that does not name the URL's host (a smuggled path)", async () => {
    const { ns, request } = withHello();
    // What workerd builds from `Host: localhost/evil` for `GET /x`: the Host's tail lands in the path.
    const res = await request("http://localhost/evil/x", { headers: { host: "localhost.evil" } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("does not match the request URL");
    expect(ns.calls).toEqual([]);
  });

  it("still routes a good Host, with or without a port", async () => {
    const { ns, request } = withHello();
    for (const host of ["hello.localhost", "hello.localhost:8787", "HELLO.localhost."]) {
      const res = await request("http://hello.localhost:8787/", { headers: { host } });
      expect(res.status, host).toBe(200);
    }
    expect(ns.calls.map((c) => c.name)).toEqual(["hello", "hello", "hello"]);
  });
});
