/**
 * Tenant traces on the real local runtime: the tenant host's tail forwards them to
 * the stand-in's relay, which completes them as production would and hands them to
 * the script's tail_consumers (here a recorder Worker).
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { BURNER, LOOPER } from "./fixtures/tenants.ts";
import { NamespaceClient, failure } from "./namespace-client.ts";
import { SUPERVISOR_PATHS } from "../local/host/src/run-protocol.ts";

type Trace = Record<string, unknown> & {
  scriptName?: string;
  dispatchNamespace?: string;
  scriptTags?: string[];
  scriptVersion?: { id?: string };
  outcome?: string;
  cpuTime?: number;
  wallTime?: number;
  entrypoint?: string;
  exceptions?: { name: string; message: string }[];
  event?: { request?: { url?: string; headers?: Record<string, string> }; response?: { status: number } };
};

let stack: Stack;
let ns: NamespaceClient;
let recorder: string;
const logs: string[] = [];
const CONSUMER = [{ service: "recorder" }];

beforeAll(async () => {
  stack = await startStack({
    port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: (line) => logs.push(line),
    extraWorkers: [{ name: "recorder", scriptPath: resolve(import.meta.dirname, "fixtures/recorder.js") }],
    tailConsumers: ["recorder"],
  });
  ns = new NamespaceClient(stack);
  recorder = stack.urls.extra.recorder ?? "";
});
afterAll(async () => {
  await stack.dispose();
});

const ECHO_HEADERS = `export default { fetch(req) { return Response.json([...req.headers.keys()]); } }`;


async function traces(namespace: string): Promise<Trace[]> {
  const all = (await (await fetch(`${recorder}/traces`)).json()) as Trace[];
  return all.filter((t) => t.dispatchNamespace === namespace);
}

/** Traces arrive after the invocation ends; wait (bounded) for `count` of them. */
async function waitForTraces(namespace: string, count: number, timeoutMs = 10_000): Promise<Trace[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await traces(namespace);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("tenant traces reach the script's tail consumers", () => {
  it("fills in what local traces leave empty, and hides the stand-in's header", async () => {
    const n = await ns.createNamespace("tail");
    const up = await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["demo", "eu"] } });
    const seen = (await (await ns.call(n, "echo", "/x?y=1")).json()) as string[];
    expect(seen.filter((h) => h.startsWith("x-tenantscope-invocation") || h === "x-tenantscope-run")).toEqual([]);
    const [trace, ...rest] = await waitForTraces(n, 1);
    expect(rest).toEqual([]);
    expect(trace).toMatchObject({
      scriptName: "echo",
      dispatchNamespace: n,
      scriptTags: ["demo", "eu"],
      scriptVersion: { id: up.body.result.deployment_id },
      outcome: "ok",
      event: { request: { url: "http://echo.example/x?y=1" }, response: { status: 200 } },
    });
    expect(Object.keys(trace?.event?.request?.headers ?? {})).not.toContain("x-tenantscope-invocation");
    expect(trace?.cpuTime).toBeTypeOf("number");
    expect(trace?.wallTime).toBeGreaterThanOrEqual(trace?.cpuTime ?? 0);
  });

  it("reports the CPU used, a limit failed after the fact as exceededCpu, and a killed runaway too", async () => {
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "burner", BURNER, { metadata: { tail_consumers: CONSUMER } });
    await ns.upload(n, "looper", LOOPER, { metadata: { tail_consumers: CONSUMER } });
    expect(await (await ns.call(n, "burner", "/?ms=60", { cpuMs: 5000 })).text()).toBe("burned true");
    // Well over the limit and its grace (max(10 ms, 20 %)): stopped, or failed after the fact.
    expect(await failure(ns.call(n, "burner", "/?ms=150", { cpuMs: 50 }))).toBe("Worker exceeded CPU time limit.");
    expect(await failure(ns.call(n, "looper", "/", { cpuMs: 30 }))).toBe("Worker exceeded CPU time limit.");
    const found = await waitForTraces(n, 3);
    const burner = found.filter((t) => t.scriptName === "burner");
    expect(burner.map((t) => t.outcome).sort((a, b) => String(a).localeCompare(String(b)))).toEqual(["exceededCpu", "ok"]);
    for (const t of burner) {
      // Generous: the burn is approximate; the benchmark measures accuracy.
      expect(t.cpuTime).toBeGreaterThanOrEqual(20);
      expect(t.wallTime).toBeGreaterThanOrEqual(t.cpuTime ?? 0);
    }
    expect(burner.find((t) => t.outcome === "exceededCpu")?.event?.response).toBeUndefined();
    const looper = found.find((t) => t.scriptName === "looper");
    expect(looper).toMatchObject({ outcome: "exceededCpu", scriptName: "looper", dispatchNamespace: n });
    expect(looper?.cpuTime).toBeGreaterThanOrEqual(30);
  });

  it("carries the subrequest limit's exception as the runtime reported it", async () => {
    const n = await ns.createNamespace("tail");
    const src = `export default { async fetch(req, env) { for (let i = 0; i < 3; i++) await (await fetch(env.UPSTREAM + "/hit/tail-sub/" + i)).text(); return new Response("x"); } }`;
    await ns.upload(n, "fanout", src, { metadata: { tail_consumers: CONSUMER, bindings: [{ type: "plain_text", name: "UPSTREAM", text: recorder }] } });
    expect(await failure(ns.call(n, "fanout", "/", { subRequests: 2 }))).toBe("Too many subrequests by single Worker invocation.");
    const [trace] = await waitForTraces(n, 1);
    expect(trace?.outcome).toBe("exception");
    expect(trace?.exceptions?.map((e) => e.message)).toEqual(["Too many subrequests by single Worker invocation."]);
  });

  it("delivers one trace per call: the stand-in's warm-up call is not one", async () => {
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    for (let i = 0; i < 3; i++) await (await ns.call(n, "echo")).text();
    const found = await waitForTraces(n, 4, 1_500);
    expect(found).toHaveLength(3);
    expect(found.every((t) => t.entrypoint !== "TenantscopeProbe")).toBe(true);
  });

  it("relays one trace per invocation, even when two arrive for it", async () => {
    // A kill just after the invocation ended: its host posted the trace, and the stand-in writes the lost invocation's.
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    const trace = (id: string, outcome: string): unknown => ({
      scriptName: "echo", outcome, eventTimestamp: Date.now(), logs: [], exceptions: [], diagnosticsChannelEvents: [],
      event: { request: { method: "GET", url: "http://echo.example/", headers: { "x-tenantscope-invocation": id } } },
    });
    const post = (traces: unknown[]): Promise<Response> => fetch(`${stack.urls.api}/_local/runtime/traces`, {
      method: "POST", headers: { authorization: `Bearer ${stack.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ namespace: n, script: "echo", traces }),
    });
    expect((await post([trace("dup-1", "ok")])).status).toBe(202);
    expect((await post([trace("dup-1", "exceededCpu"), trace("dup-2", "ok")])).status).toBe(202);
    // Both in one batch, too.
    expect((await post([trace("dup-3", "exceededCpu"), trace("dup-3", "ok")])).status).toBe(202);
    await waitForTraces(n, 4, 1_500);
    expect((await traces(n)).map((t) => String(t.outcome)).sort((a, b) => a.localeCompare(b))).toEqual(["exceededCpu", "ok", "ok"]);
  });

  it("holds the tenant process until the invocation's trace has left, within bounds", async () => {
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    const LINGER = `export default { fetch(req, env, ctx) { ctx.waitUntil(new Promise((r) => setTimeout(r, 300))); return new Response("soon"); } }`;
    await ns.upload(n, "linger", LINGER, { metadata: { tail_consumers: CONSUMER } });
    const late = (): number => stack.supervisor.slots.reduce((sum, slot) => sum + slot.tracesLate, 0);
    const before = late();
    for (let i = 0; i < 5; i++) await (await ns.call(n, "echo")).text();
    // The echoes' traces come within the hold (generous: a busy machine may delay one).
    const mid = late();
    expect(mid - before).toBeLessThan(5);
    const started = Date.now();
    expect(await (await ns.call(n, "linger")).text()).toBe("soon");
    await (await ns.call(n, "echo")).text();
    // Its trace waits for ctx.waitUntil: the process was let go before it came, not held 300 ms.
    // Polled: the echo may run on the other process, before the linger's hold has ended.
    await expect.poll(late, { timeout: 2_000 }).toBeGreaterThanOrEqual(mid + 1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await waitForTraces(n, 7)).filter((t) => t.scriptName === "linger")).toHaveLength(1);
  });

  it("takes the hosts' traces on the supervisor only with the local API's token", async () => {
    // What the supervisor relays lands in Analytics Engine: no unauthenticated way in.
    const url = `${stack.supervisor.url}${SUPERVISOR_PATHS.traces}`;
    const body = JSON.stringify({ namespace: "x", script: "y", traces: [] });
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", headers: { authorization: "Bearer not-the-token" }, body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", headers: { authorization: `Bearer ${stack.apiToken}` }, body })).status).toBe(202);
  });

  it("delivers nothing for scripts without tail_consumers, or to consumers not running", async () => {
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "silent", ECHO_HEADERS);
    await ns.upload(n, "elsewhere", ECHO_HEADERS, { metadata: { tail_consumers: [{ service: "not-running" }] } });
    await ns.upload(n, "marker", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    for (const name of ["silent", "elsewhere", "marker"]) expect((await ns.call(n, name)).status).toBe(200);
    await waitForTraces(n, 1);
    // Traces of the calls before the marker's would have arrived by now.
    await new Promise((r) => setTimeout(r, 300));
    expect((await traces(n)).map((t) => t.scriptName)).toEqual(["marker"]);
  });

  it("describes the script as it was when the invocation ran, even once replaced or deleted", async () => {
    const n = await ns.createNamespace("tail");
    await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["old"] } });
    await (await ns.call(n, "echo")).text();
    await ns.upload(n, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["new"] } });
    await (await ns.call(n, "echo")).text();
    expect((await ns.api(`/${n}/scripts/echo`, { method: "DELETE" })).status).toBe(200);
    const found = await waitForTraces(n, 2);
    expect(found.map((t) => t.scriptTags).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([["new"], ["old"]]);
  });
});
