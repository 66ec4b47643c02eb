/**
 * `get(name, { props }, { limits, outbound })` on the real local runtime (tenant host in
 * its own process behind the supervisor): props reach the tenant as `ctx.props`, the
 * invocation id stays the runtime's own, limits still apply, bad shapes fail at get().
 * Outbound Workers see the tenants' subrequests. Plus the pure parts in Node: the
 * argument checks and what getEntrypoint() receives.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { entrypointOptions } from "../local/host/src/entrypoint.ts";
import { MAX_RUN_DATA_BYTES, encodeRunHeader, parseRunHeader, type RunHeader } from "../local/host/src/run-protocol.ts";
import { CONFIG_PATHS, localWorkerOptions, readWorkerConfig } from "../local/dev/options.ts";
import { dispatcherWorkerOptions } from "../local/dev/options-platform.ts";
import { parseDispatchCall } from "../local/src/runtime/dispatch-options.ts";
import { NamespaceClient, failure } from "./namespace-client.ts";

let stack: Stack;
let ns: NamespaceClient;
let upstream: string;
let outboundUrl: string;

beforeAll(async () => {
  stack = await startStack({
    port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {}, tenantLog: () => {},
    extraWorkers: [
      { name: "recorder", scriptPath: resolve(import.meta.dirname, "fixtures/recorder.js") },
      { name: "outbound", scriptPath: resolve(import.meta.dirname, "fixtures/outbound.js") },
    ],
    outboundWorkers: ["outbound"],
  });
  ns = new NamespaceClient(stack);
  upstream = stack.urls.extra.recorder ?? "";
  outboundUrl = stack.urls.extra.outbound ?? "";
});
afterAll(async () => {
  await stack.dispose();
});

const OBJECT_TENANT = `export default { fetch(req, env, ctx) { return Response.json({ props: ctx.props ?? null, header: req.headers.get("x-tenantscope-invocation") }); } }`;
const CLASS_TENANT = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { fetch() { return Response.json({ props: this.ctx.props ?? null }); } }`;
const FETCHER = `export default { async fetch(req, env) { for (let i = 0; i < 3; i++) await (await fetch(env.UPSTREAM + "/hit/" + new URL(req.url).searchParams.get("key") + "/" + i)).text(); return new Response("done"); } }`;

describe("dynamic dispatch props", () => {
  it("reach an object handler as ctx.props, any text intact", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "obj", OBJECT_TENANT);
    const props = { userId: "user-123", permissions: ["read", "write"], note: "Grüße, 東京 🚀", nested: { n: 1.5, ok: true, none: null } };
    const res = await ns.dispatch(n, "obj", { args: { props }, options: { limits: { cpuMs: 500, subRequests: 5 } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ props, header: null });
  });

  it("reach a WorkerEntrypoint class as this.ctx.props", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "cls", CLASS_TENANT);
    const res = await ns.dispatch(n, "cls", { args: { props: { plan: "pro" } } });
    expect(await res.json()).toEqual({ props: { plan: "pro" } });
  });

  it("differ per invocation of one cached isolate", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "obj", OBJECT_TENANT);
    const seen = await Promise.all(["a", "b", "c"].map(async (id) => ((await (await ns.dispatch(n, "obj", { args: { props: { id } } })).json()) as { props: unknown }).props));
    expect(seen).toEqual([{ id: "a" }, { id: "b" }, { id: "c" }]);
  });

  it("are not the runtime's: without props the tenant sees none of its invocation id", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "obj", OBJECT_TENANT);
    const body = (await (await ns.dispatch(n, "obj", {})).json()) as { props: unknown; header: unknown };
    expect(body.header).toBeNull();
    // workerd's own default for an entrypoint called without props.
    expect(body.props).toEqual({});
  });

  it("pass up to the local size bound", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "obj", OBJECT_TENANT);
    // Escaped, each of these is 6 bytes of header: the bound counts what travels.
    const props = { blob: "x".repeat(MAX_RUN_DATA_BYTES - 6 * 1000 - 64), text: "東".repeat(1000) };
    const res = await ns.dispatch(n, "obj", { args: { props } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { props: unknown }).props).toEqual(props);
  });

  it("are refused at get() past the local size bound, naming it", async () => {
    const n = await ns.createNamespace("props");
    await ns.upload(n, "obj", OBJECT_TENANT);
    const message = await failure(ns.dispatch(n, "obj", { args: { props: { blob: "x".repeat(MAX_RUN_DATA_BYTES) } } }));
    expect(message).toContain(`at most ${MAX_RUN_DATA_BYTES}`);
  });
});

describe("limits in get() options", () => {
  it("still count subrequests with props beside them", async () => {
    const n = await ns.createNamespace("limits");
    await ns.upload(n, "fetcher", FETCHER, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
    const ok = await ns.dispatch(n, "fetcher", { args: { props: { a: 1 } }, options: { limits: { subRequests: 3 } } }, "/?key=lim-ok");
    expect(await ok.text()).toBe("done");
    const over = await failure(ns.dispatch(n, "fetcher", { args: { props: { a: 1 } }, options: { limits: { subRequests: 2 } } }, "/?key=lim-over"));
    expect(over).toMatch(/^Too many subrequests by single Worker invocation/);
  });

  it.each([
    [{ options: { limits: { memory: 128 } } }, 'no field "memory"'],
    [{ options: { limits: { cpuMs: -1 } } }, "cpuMs must be a positive number"],
    [{ options: { limits: "fast" } }, "options.limits must be an object"],
    [{ args: ["x"] }, "args must be an object"],
    [{ options: { outbound: 3 } }, "options.outbound must be an object"],
  ])("refuse a bad shape %# with a TypeError", async (get, message) => {
    const n = await ns.createNamespace("limits");
    await ns.upload(n, "obj", OBJECT_TENANT);
    const error = await ns.dispatch(n, "obj", get).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toContain(message);
  });
});

/** POSTs to api.example (which only the Outbound Worker answers), then one fetch to the recorder. */
const CALLER = `export default { async fetch(req, env) {
  const key = new URL(req.url).searchParams.get("key");
  const api = await fetch("https://api.example/" + key, { method: "POST", body: "payload-" + key, headers: { authorization: "Bearer tenant-own" } });
  const up = await fetch(env.UPSTREAM + "/hit/" + key + "/0");
  return Response.json({ api: await api.text(), via: api.headers.get("x-outbound"), up: await up.text() });
} }`;

interface Seen { method: string; url: string; auth: string | null; body: string | null }

describe("an Outbound Worker on the namespace", () => {
  it("sees every subrequest, method, headers and body intact, and answers for them", async () => {
    const n = await ns.createNamespace("outbound");
    await ns.upload(n, "caller", CALLER, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
    const get = { options: { outbound: { requestContext: { userId: "u1" } } }, outboundWorker: { service: "outbound", parameters: ["requestContext"] } };
    const res = await ns.dispatch(n, "caller", get, "/?key=ob1");
    expect(await res.json()).toEqual({ api: "intercepted /ob1", via: "yes", up: "upstream" });
    const seen = ((await (await fetch(`${outboundUrl}/__seen`)).json()) as Seen[]).filter((s) => s.url.includes("ob1"));
    expect(seen).toEqual([
      { method: "POST", url: "https://api.example/ob1", auth: "Bearer tenant-own", body: "payload-ob1" },
      { method: "GET", url: `${upstream}/hit/ob1/0`, auth: null, body: null },
    ]);
  });

  it("is not used by a namespace without one, and counts toward the subrequest limit when used", async () => {
    const n = await ns.createNamespace("outbound");
    await ns.upload(n, "fetcher", FETCHER, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
    expect(await (await ns.dispatch(n, "fetcher", {}, "/?key=ob2")).text()).toBe("done");
    const over = await failure(ns.dispatch(n, "fetcher", { options: { limits: { subRequests: 2 } }, outboundWorker: { service: "outbound", parameters: [] } }, "/?key=ob3"));
    expect(over).toMatch(/^Too many subrequests/);
    const seen = (await (await fetch(`${outboundUrl}/__seen`)).json()) as Seen[];
    expect(seen.filter((s) => s.url.includes("ob2"))).toEqual([]);
    expect(seen.filter((s) => s.url.includes("ob3")).length).toBe(2);
  });

  it("answers 502 naming the Worker when it is not running locally", async () => {
    const n = await ns.createNamespace("outbound");
    const status = `export default { async fetch(req, env) { const r = await fetch(env.UPSTREAM + "/hit/ob4/0"); return new Response(r.status + " " + await r.text()); } }`;
    await ns.upload(n, "status", status, { metadata: { bindings: [{ type: "plain_text", name: "UPSTREAM", text: upstream }] } });
    const res = await ns.dispatch(n, "status", { outboundWorker: { service: "ghost", parameters: [] } });
    expect(await res.text()).toMatch(/^502 .*"ghost" is not running locally/);
  });
});

describe("the pure parts", () => {
  const run: RunHeader = { id: "i1", isolate: "n/s@e", namespace: "n", script: "s", etag: "e", cpuMs: 50, subRequests: 10, props: { who: "Zoë" } };

  it("getEntrypoint() gets the dispatcher's props and the plan's limits", () => {
    expect(entrypointOptions(run)).toEqual({ props: { who: "Zoë" }, limits: { cpuMs: 50, subRequests: 10 } });
    expect(entrypointOptions({ id: "i", isolate: "x", namespace: "n", script: "s", etag: "e" })).toEqual({});
  });

  it("RUN_HEADER carries props as ASCII and back", () => {
    const header = encodeRunHeader(run);
    expect(/^[\x20-\x7e]*$/.test(header)).toBe(true);
    expect(parseRunHeader(header)).toEqual(run);
  });

  it("refuses what JSON cannot carry (functions, class instances such as RPC stubs)", () => {
    expect(() => parseDispatchCall({ props: { f: () => 1 } }, undefined)).toThrow(/args\.props\.f is not plain JSON data/);
    expect(() => parseDispatchCall({ props: { when: new Date() } }, undefined)).toThrow(/args\.props\.when/);
    expect(() => parseDispatchCall({ props: { n: Number.NaN } }, undefined)).toThrow(TypeError);
  });

  it("the dev runner wires dispatch_namespaces[].outbound: namespace props and the stand-in's binding", () => {
    const dispatcher = readWorkerConfig(CONFIG_PATHS.dispatcher);
    const withOutbound = { ...dispatcher, dispatch_namespaces: [{ binding: "DISPATCHER", namespace: "t", outbound: { service: "egress-policy", parameters: ["requestContext"] } }] };
    const options = dispatcherWorkerOptions(withOutbound, "/x.js", { port: 0 });
    expect(options.serviceBindings?.DISPATCHER).toMatchObject({ props: { namespace: "t", outbound: { service: "egress-policy", parameters: ["requestContext"] } } });
    const local = localWorkerOptions(readWorkerConfig(CONFIG_PATHS.local), "/y.js", 0, { tailConsumers: [], outbound: ["egress-policy"] }, 0);
    expect(local.serviceBindings?.OUTBOUND_EGRESS_POLICY).toEqual({ name: "egress-policy" });
  });

  it("keeps only the Outbound Worker parameters the binding declares", () => {
    const call = parseDispatchCall({}, { outbound: { requestContext: { userId: "u" }, stray: 1 } }, ["requestContext"]);
    expect(call.outbound).toEqual({ requestContext: { userId: "u" } });
    expect(parseDispatchCall({}, { limits: { cpuMs: 10, subRequests: undefined } })).toEqual({ limits: { cpuMs: 10 } });
  });
});
