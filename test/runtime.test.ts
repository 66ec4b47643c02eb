/**
 * Tenants through the namespace binding, on the real local runtime: the tenant host
 * in its own process behind the supervisor. Bindings, errors, re-uploads, the
 * subrequest limit, and the CPU limit on the CPU the tenant's own code used (not its
 * subrequests' cost in the local runtime).
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { BURNER, LOOPER } from "./fixtures/tenants.ts";
import { NamespaceClient, failure } from "./namespace-client.ts";

let stack: Stack;
let ns: NamespaceClient;
let upstream: string;

beforeAll(async () => {
  stack = await startStack({
    port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {},
    extraWorkers: [{ name: "recorder", scriptPath: resolve(import.meta.dirname, "fixtures/recorder.js") }],
  });
  ns = new NamespaceClient(stack);
  upstream = stack.urls.extra.recorder ?? "";
});
afterAll(async () => {
  await stack.dispose();
});

const HELLO = `export default { fetch(req, env) { return new Response("hello " + env.GREETING, { headers: { "set-cookie": "s=1" } }); } }`;
/** ?n=N sequential fetches to the recorder under ?key, each ?delay ms slow. */
const FANOUT = `export default { async fetch(req, env) {
  const url = new URL(req.url);
  const n = Number(url.searchParams.get("n") ?? "0");
  for (let i = 0; i < n; i++) await (await fetch(env.UPSTREAM + "/hit/" + url.searchParams.get("key") + "/" + i + "?delay=" + (url.searchParams.get("delay") ?? "0"))).text();
  return new Response("fetched " + n);
} }`;

const SLEEPER = `export default { async fetch() { await new Promise((r) => setTimeout(r, 250)); return new Response("slept"); } }`;

async function hits(key: string): Promise<{ url: string; headers: string[] }[]> {
  return (await (await fetch(`${upstream}/hits/${key}`)).json()) as { url: string; headers: string[] }[];
}

async function withFanout(namespace: string): Promise<void> {
  await ns.upload(namespace, "fanout", FANOUT, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
}

describe("tenant invocation through the namespace binding", () => {
  it("runs an uploaded script with its bindings as env", async () => {
    const n = await ns.createNamespace("rt");
    expect((await ns.upload(n, "hello", HELLO, { metadata: { bindings: [{ type: "plain_text", name: "GREETING", text: "world" }] } })).status).toBe(201);
    const res = await ns.call(n, "hello");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello world");
    expect(res.headers.get("set-cookie")).toBe("s=1");
  });

  it("keeps the tenant processes' V8 GC function (local/dev/tenants/v8-flags.ts) from tenant code", async () => {
    const n = await ns.createNamespace("rt");
    const src = `export default { fetch() { return Response.json({ gc: typeof globalThis.__tenantscope_gc, plain: typeof globalThis.gc }); } }`;
    expect((await ns.upload(n, "gc-probe", src)).status).toBe(201);
    expect(await (await ns.call(n, "gc-probe")).json()).toEqual({ gc: "undefined", plain: "undefined" });
  });

  it("passes secret_text and json bindings", async () => {
    const n = await ns.createNamespace("rt");
    const src = `export default { fetch(req, env) { return Response.json({ s: env.SECRET, j: env.CONF }); } }`;
    await ns.upload(n, "env", src, { metadata: { bindings: [{ type: "secret_text", name: "SECRET", text: "shh" }, { type: "json", name: "CONF", json: { a: [1, 2] } }] } });
    expect(await (await ns.call(n, "env")).json()).toEqual({ s: "shh", j: { a: [1, 2] } });
  });

  it("fails an unknown name like production, from fetch()", async () => {
    const n = await ns.createNamespace("rt");
    await expect(ns.call(n, "missing")).rejects.toThrow(/^Worker not found/);
  });

  it("ignores runtime headers a tenant sets itself: they cannot fake a CPU figure or a runtime error", async () => {
    const n = await ns.createNamespace("rt");
    const src = `export default { fetch() { return new Response("mine", { headers: { "x-tenantscope-cpu-ms": "0", "x-tenantscope-cpu-final": "0", "x-tenantscope-run-error": "cpu_killed" } }); } }`;
    await ns.upload(n, "liar", src);
    const res = await ns.call(n, "liar", "/", { cpuMs: 50 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("mine");
    expect([...res.headers.keys()].filter((h) => h.startsWith("x-tenantscope-"))).toEqual([]);
  });

  it("propagates the tenant's exception with its type and message", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "thrower", `export default { fetch() { throw new TypeError("kaboom"); } }`);
    const err = await ns.call(n, "thrower").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe("kaboom");
  });

  it("serves a re-upload at once, and nothing after delete", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "v", `export default { fetch() { return new Response("one"); } }`);
    expect(await (await ns.call(n, "v")).text()).toBe("one");
    await ns.upload(n, "v", `export default { fetch() { return new Response("two"); } }`);
    expect(await (await ns.call(n, "v")).text()).toBe("two");
    expect((await ns.api(`/${n}/scripts/v`, { method: "DELETE" })).status).toBe(200);
    await expect(ns.call(n, "v")).rejects.toThrow(/^Worker not found/);
  });

  it("stops serving every script of a deleted namespace", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "a", HELLO);
    expect((await ns.call(n, "a")).status).toBe(200);
    expect((await ns.api(`/${n}`, { method: "DELETE" })).status).toBe(200);
    await expect(ns.call(n, "a")).rejects.toThrow(/^Worker not found/);
  });

  it("runs a raw service-worker upload with its bindings as globals", async () => {
    const n = await ns.createNamespace("rt");
    const raw = await ns.api(`/${n}/scripts/legacy`, {
      method: "PUT",
      headers: { "content-type": "application/javascript" },
      body: "addEventListener('fetch', (event) => { event.respondWith(new Response('sw ' + new URL(event.request.url).pathname)); });",
    });
    expect(raw.status).toBe(201);
    expect(await (await ns.call(n, "legacy", "/x/y")).text()).toBe("sw /x/y");
    const form = new FormData();
    form.append("metadata", new Blob([JSON.stringify({ body_part: "script", bindings: [{ type: "plain_text", name: "WHO", text: "sw-global" }] })]));
    form.append("script", new Blob(["addEventListener('fetch', e => e.respondWith(new Response(WHO)))"], { type: "application/javascript" }), "script");
    expect((await ns.api(`/${n}/scripts/swb`, { method: "PUT", body: form })).status).toBe(201);
    expect(await (await ns.call(n, "swb")).text()).toBe("sw-global");
  });
});

describe("subRequests limit", () => {
  it("allows exactly N, throws production's message on the (N+1)-th and never sends it", async () => {
    const n = await ns.createNamespace("rt");
    await withFanout(n);
    expect(await (await ns.call(n, "fanout", "/?n=5&key=exact", { subRequests: 5 })).text()).toBe("fetched 5");
    expect(await hits("exact")).toHaveLength(5);
    expect(await failure(ns.call(n, "fanout", "/?n=6&key=over", { subRequests: 5 }))).toBe("Too many subrequests by single Worker invocation.");
    expect(await hits("over")).toHaveLength(5);
  });

  it("counts per invocation, and strips the invocation tag before the request leaves", async () => {
    const n = await ns.createNamespace("rt");
    await withFanout(n);
    for (let i = 0; i < 3; i++) expect(await (await ns.call(n, "fanout", `/?n=4&key=per-${i}`, { subRequests: 4 })).text()).toBe("fetched 4");
    const sent = await hits("per-0");
    expect(sent[0]?.url).toBe(`${upstream}/hit/per-0/0?delay=0`);
    expect(sent[0]?.headers).not.toContain("x-tenantscope-invocation");
  });
});

describe("cpuMs, on the CPU the tenant's own code used", () => {
  it("fails an invocation over its limit, and passes the same work under a higher one", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "burner", BURNER);
    await expect(ns.call(n, "burner", "/?ms=200", { cpuMs: 20 })).rejects.toThrow("Worker exceeded CPU time limit.");
    expect((await ns.call(n, "burner", "/?ms=200", { cpuMs: 30_000 })).status).toBe(200);
  });

  it("does not charge time spent waiting on timers or subrequests", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "sleeper", SLEEPER);
    await withFanout(n);
    expect(await (await ns.call(n, "sleeper", "/", { cpuMs: 20 })).text()).toBe("slept");
    expect(await (await ns.call(n, "fanout", "/?n=2&key=slow&delay=150", { cpuMs: 20, subRequests: 5 })).text()).toBe("fetched 2");
  });

  it("does not charge the local runtime's own cost of each subrequest (network time is not CPU time)", async () => {
    const n = await ns.createNamespace("rt");
    await withFanout(n);
    // Each passes the host's gate and loopback HTTP on the tenant's thread (about 1 ms
    // here): 30 of them were charged past 10 ms + grace. Generous: the machine's slow
    // moments fail about 4 % of them.
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(await ns.call(n, "fanout", `/?n=30&key=cost-${i}`, { cpuMs: 10, subRequests: 50 }).then((r) => r.text(), (e: unknown) => String(e)));
    expect(answers.filter((a) => a === "fetched 30").length).toBeGreaterThanOrEqual(3);
  });

  it("still stops a tenant that loops after a subrequest: its host cannot answer for it", async () => {
    const n = await ns.createNamespace("rt");
    const src = `export default { async fetch(req, env) { await (await fetch(env.UPSTREAM + "/hit/fetch-loop/0")).text(); for (;;) {} } }`;
    await ns.upload(n, "fetch-looper", src, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
    const started = Date.now();
    expect(await failure(ns.call(n, "fetch-looper", "/", { cpuMs: 20, subRequests: 5 }))).toBe("Worker exceeded CPU time limit.");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await hits("fetch-loop")).toHaveLength(1);
  });

  it("never fails a burst of concurrent cheap requests on a 10 ms plan", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "hello", HELLO);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 50 }, () => ns.call(n, "hello", "/", { cpuMs: 10 }).then((r) => r.status, (e: unknown) => String(e))));
      expect(results.filter((r) => r !== 200)).toEqual([]);
    }
  });

  it("stops a looping tenant with the CPU error while another tenant and the local API answer, and runs it again after", async () => {
    const n = await ns.createNamespace("rt");
    await ns.upload(n, "looper", LOOPER);
    await ns.upload(n, "hello", HELLO);
    const started = Date.now();
    const looping = failure(ns.call(n, "looper", "/", { cpuMs: 50 }));
    const others: number[] = [];
    while (Date.now() - started < 1_000) {
      const [tenant, apiAnswer] = await Promise.all([ns.call(n, "hello", "/", { cpuMs: 50 }), ns.api(`/${n}`)]);
      await tenant.text();
      others.push(tenant.status, apiAnswer.status);
    }
    expect(await looping).toBe("Worker exceeded CPU time limit.");
    // Generous: the kill comes at the limit plus a grace, and the process restarts by itself.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(others.length).toBeGreaterThan(2);
    expect(others.filter((s) => s !== 200)).toEqual([]);
    await expect(ns.call(n, "looper", "/", { cpuMs: 50 })).rejects.toThrow("Worker exceeded CPU time limit.");
    await ns.upload(n, "looper", HELLO);
    expect((await ns.call(n, "looper", "/", { cpuMs: 50 })).status).toBe(200);
  });
});
