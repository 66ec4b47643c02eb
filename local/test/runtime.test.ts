import { afterEach, describe, expect, it, vi } from "vitest";
import { api, callTenant, createNamespace, uniqueName, upload } from "./helpers.ts";

const HELLO = `export default { fetch(req, env) { return new Response("hello " + env.GREETING, { headers: { "set-cookie": "s=1" } }); } }`;

/** Makes ?n=N sequential fetches to example.test; counts what succeeded. */
const FANOUT = `export default { async fetch(req) {
  const n = Number(new URL(req.url).searchParams.get("n") ?? "0");
  for (let i = 0; i < n; i++) { const r = await fetch("http://upstream.test/" + i); await r.text(); }
  return new Response("fetched " + n);
} }`;

/** Burns CPU by iterations (Date.now is frozen in production); ?ms is approximate. */
const BURNER = `export default { fetch(req) {
  const ms = Number(new URL(req.url).searchParams.get("ms") ?? "0");
  let x = 0;
  for (let i = 0; i < ms * 300000; i++) x += Math.sqrt(i);
  return new Response("burned " + (x >= 0));
} }`;

const SLEEPER = `export default { async fetch() {
  await new Promise((r) => setTimeout(r, 250));
  return new Response("slept");
} }`;

async function freshNamespace(): Promise<string> {
  const ns = uniqueName("rt");
  await createNamespace(ns);
  return ns;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("tenant invocation through the namespace binding", () => {
  it("runs an uploaded script with its bindings as env", async () => {
    const ns = await freshNamespace();
    const up = await upload(ns, "hello", HELLO, {
      metadata: { bindings: [{ type: "plain_text", name: "GREETING", text: "world" }] },
    });
    expect(up.status).toBe(201);
    const res = await callTenant(ns, "hello");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello world");
    expect(res.headers.get("set-cookie")).toBe("s=1");
  });

  it("passes secret_text and json bindings", async () => {
    const ns = await freshNamespace();
    const src = `export default { fetch(req, env) { return Response.json({ s: env.SECRET, j: env.CONF }); } }`;
    await upload(ns, "env", src, {
      metadata: { bindings: [
        { type: "secret_text", name: "SECRET", text: "shh" },
        { type: "json", name: "CONF", json: { a: [1, 2] } },
      ] },
    });
    const res = await callTenant(ns, "env");
    expect(await res.json()).toEqual({ s: "shh", j: { a: [1, 2] } });
  });

  it("fails an unknown name like production, from fetch()", async () => {
    const ns = await freshNamespace();
    await expect(callTenant(ns, "missing")).rejects.toThrow(/^Worker not found/);
  });

  it("propagates the tenant's exception with its type and message", async () => {
    const ns = await freshNamespace();
    await upload(ns, "thrower", `export default { fetch() { throw new TypeError("kaboom"); } }`);
    const err = await callTenant(ns, "thrower").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe("kaboom");
  });

  it("serves a re-upload at once, and nothing after delete", async () => {
    const ns = await freshNamespace();
    await upload(ns, "v", `export default { fetch() { return new Response("one"); } }`);
    expect(await (await callTenant(ns, "v")).text()).toBe("one");
    await upload(ns, "v", `export default { fetch() { return new Response("two"); } }`);
    expect(await (await callTenant(ns, "v")).text()).toBe("two");
    expect((await api(`/${ns}/scripts/v`, { method: "DELETE" })).status).toBe(200);
    await expect(callTenant(ns, "v")).rejects.toThrow(/^Worker not found/);
  });

  it("stops serving every script of a deleted namespace", async () => {
    const ns = await freshNamespace();
    await upload(ns, "a", HELLO);
    expect((await callTenant(ns, "a")).status).toBe(200);
    expect((await api(`/${ns}`, { method: "DELETE" })).status).toBe(200);
    await expect(callTenant(ns, "a")).rejects.toThrow(/^Worker not found/);
  });

  it("runs a raw service-worker upload through the module shim", async () => {
    const ns = await freshNamespace();
    const res = await api(`/${ns}/scripts/legacy`, {
      method: "PUT",
      headers: { "content-type": "application/javascript" },
      body: "addEventListener('fetch', (event) => { event.respondWith(new Response('sw ' + new URL(event.request.url).pathname)); });",
    });
    expect(res.status).toBe(201);
    expect(await (await callTenant(ns, "legacy", "/x/y")).text()).toBe("sw /x/y");
  });

  it("gives service-worker scripts their bindings as globals", async () => {
    const ns = await freshNamespace();
    const form = new FormData();
    form.append("metadata", new Blob([JSON.stringify({ body_part: "script", bindings: [{ type: "plain_text", name: "WHO", text: "sw-global" }] })]));
    form.append("script", new Blob(["addEventListener('fetch', e => e.respondWith(new Response(WHO)))"], { type: "application/javascript" }), "script");
    expect((await api(`/${ns}/scripts/swb`, { method: "PUT", body: form })).status).toBe(201);
    expect(await (await callTenant(ns, "swb")).text()).toBe("sw-global");
  });
});

describe("subRequests limit", () => {
  function stubUpstream() {
    return vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("upstream"));
  }

  it("allows exactly N subrequests", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT);
    const upstream = stubUpstream();
    const res = await callTenant(ns, "fanout", "/?n=5", { subRequests: 5 });
    expect(await res.text()).toBe("fetched 5");
    expect(upstream).toHaveBeenCalledTimes(5);
  });

  it("throws production's message on the (N+1)-th and never sends it", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT);
    const upstream = stubUpstream();
    await expect(callTenant(ns, "fanout", "/?n=6", { subRequests: 5 }))
      .rejects.toThrow("Too many subrequests by single Worker invocation.");
    expect(upstream).toHaveBeenCalledTimes(5);
  });

  it("counts per invocation, not per isolate", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT);
    stubUpstream();
    for (let i = 0; i < 3; i++) {
      expect(await (await callTenant(ns, "fanout", "/?n=4", { subRequests: 4 })).text()).toBe("fetched 4");
    }
  });

  it("strips the invocation tag before the request leaves", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT);
    const upstream = stubUpstream();
    await callTenant(ns, "fanout", "/?n=1", { subRequests: 1 });
    const sent = upstream.mock.calls[0]?.[0];
    expect(sent).toBeInstanceOf(Request);
    expect((sent as Request).headers.has("x-tenantscope-invocation")).toBe(false);
    expect((sent as Request).url).toBe("http://upstream.test/0");
  });
});

describe("cpuMs, enforced after the fact", () => {
  it("fails an invocation that used more CPU than its limit", async () => {
    const ns = await freshNamespace();
    await upload(ns, "burner", BURNER);
    await expect(callTenant(ns, "burner", "/?ms=200", { cpuMs: 20 })).rejects.toThrow("Worker exceeded CPU time limit.");
  });

  it("passes the same work under a higher limit", async () => {
    const ns = await freshNamespace();
    await upload(ns, "burner", BURNER);
    expect((await callTenant(ns, "burner", "/?ms=200", { cpuMs: 30_000 })).status).toBe(200);
  });

  it("does not charge time spent waiting on timers", async () => {
    const ns = await freshNamespace();
    await upload(ns, "sleeper", SLEEPER);
    const res = await callTenant(ns, "sleeper", "/", { cpuMs: 50 });
    expect(await res.text()).toBe("slept");
    expect(res.headers.has("x-tenantscope-timer-wait-ms")).toBe(false);
  });

  it("does not charge time spent waiting on subrequests", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return new Response("slow upstream");
    });
    const res = await callTenant(ns, "fanout", "/?n=2", { cpuMs: 50, subRequests: 5 });
    expect(await res.text()).toBe("fetched 2");
  });
});
