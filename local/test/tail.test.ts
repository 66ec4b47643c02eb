import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, callTenant, createNamespace, uniqueName, upload } from "./helpers.ts";

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

const CONSUMER = [{ service: "tail-recorder" }];

const ECHO_HEADERS = `export default { fetch(req) {
  return Response.json([...req.headers.keys()]);
} }`;
const BURNER = `export default { fetch(req) {
  const ms = Number(new URL(req.url).searchParams.get("ms") ?? "0");
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return new Response("burned " + (x >= 0));
} }`;
const FANOUT = `export default { async fetch(req) {
  const n = Number(new URL(req.url).searchParams.get("n") ?? "0");
  for (let i = 0; i < n; i++) await (await fetch("http://upstream.test/" + i)).text();
  return new Response("fetched " + n);
} }`;

async function traces(ns: string): Promise<Trace[]> {
  const all = (await (await env.TAIL_RECORDER.fetch("http://recorder/")).json()) as Trace[];
  return all.filter((t) => t.dispatchNamespace === ns);
}

/** Traces arrive after the invocation ends; wait (bounded) for `count` of them. */
async function waitForTraces(ns: string, count: number, timeoutMs = 5_000): Promise<Trace[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await traces(ns);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Settles a tenant call that is expected to fail, without an unhandled rejection. */
async function failure(call: Promise<Response>): Promise<string> {
  return call.then(() => "resolved", (e: unknown) => (e instanceof Error ? e.message : String(e)));
}

async function freshNamespace(): Promise<string> {
  const ns = uniqueName("tail");
  await createNamespace(ns);
  return ns;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("tenant traces reach the script's tail consumers", () => {
  it("fills in what local traces leave empty, and hides the stand-in's header", async () => {
    const ns = await freshNamespace();
    const up = await upload(ns, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["demo", "eu"] } });
    const res = await callTenant(ns, "echo", "/x?y=1");
    const seen = (await res.json()) as string[];
    expect(seen.filter((h) => h.startsWith("x-tenantscope-invocation"))).toEqual([]);

    const [trace, ...rest] = await waitForTraces(ns, 1);
    expect(rest).toEqual([]);
    expect(trace).toMatchObject({
      scriptName: "echo",
      dispatchNamespace: ns,
      scriptTags: ["demo", "eu"],
      scriptVersion: { id: up.body.result.etag },
      outcome: "ok",
      event: { request: { url: "http://echo.example/x?y=1" }, response: { status: 200 } },
    });
    expect(Object.keys(trace?.event?.request?.headers ?? {})).not.toContain("x-tenantscope-invocation");
    expect(trace?.cpuTime).toBeTypeOf("number");
    expect(trace?.wallTime).toBeGreaterThanOrEqual(trace?.cpuTime ?? 0);
  });

  it("reports measured time, and a CPU limit enforced after the fact as exceededCpu", async () => {
    const ns = await freshNamespace();
    await upload(ns, "burner", BURNER, { metadata: { tail_consumers: CONSUMER } });
    expect(await (await callTenant(ns, "burner", "/?ms=30", { cpuMs: 500 })).text()).toBe("burned true");
    expect(await failure(callTenant(ns, "burner", "/?ms=30", { cpuMs: 5 }))).toBe("Worker exceeded CPU time limit.");

    const found = await waitForTraces(ns, 2);
    expect(found.map((t) => t.outcome).sort((a, b) => String(a).localeCompare(String(b)))).toEqual(["exceededCpu", "ok"]);
    for (const t of found) {
      expect(t.cpuTime).toBeGreaterThanOrEqual(25);
      expect(t.wallTime).toBeGreaterThanOrEqual(t.cpuTime ?? 0);
    }
    const failed = found.find((t) => t.outcome === "exceededCpu");
    expect(failed?.event?.response).toBeUndefined();
  });

  it("carries the subrequest limit's exception as the runtime reported it", async () => {
    const ns = await freshNamespace();
    await upload(ns, "fanout", FANOUT, { metadata: { tail_consumers: CONSUMER } });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("upstream"));
    expect(await failure(callTenant(ns, "fanout", "/?n=3", { subRequests: 2 })))
      .toBe("Too many subrequests by single Worker invocation.");
    const [trace] = await waitForTraces(ns, 1);
    expect(trace?.outcome).toBe("exception");
    expect(trace?.exceptions?.map((e) => e.message)).toEqual(["Too many subrequests by single Worker invocation."]);
  });

  it("delivers one trace per call: the stand-in's warm-up call is not one", async () => {
    const ns = await freshNamespace();
    await upload(ns, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    for (let i = 0; i < 3; i++) await (await callTenant(ns, "echo")).text();
    const found = await waitForTraces(ns, 4, 1_500);
    expect(found).toHaveLength(3);
    expect(found.every((t) => t.entrypoint !== "TenantscopeProbe")).toBe(true);
  });

  it("delivers nothing for scripts without tail_consumers, or to consumers not running", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ns = await freshNamespace();
    await upload(ns, "silent", ECHO_HEADERS);
    await upload(ns, "elsewhere", ECHO_HEADERS, { metadata: { tail_consumers: [{ service: "not-running" }] } });
    await upload(ns, "marker", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER } });
    expect((await callTenant(ns, "silent")).status).toBe(200);
    expect((await callTenant(ns, "elsewhere")).status).toBe(200);
    expect((await callTenant(ns, "marker")).status).toBe(200);
    await waitForTraces(ns, 1);
    // Traces of the calls before the marker's would have arrived by now.
    await new Promise((r) => setTimeout(r, 200));
    expect((await traces(ns)).map((t) => t.scriptName)).toEqual(["marker"]);
    // The stand-in says why those traces went nowhere (once per consumer).
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('tail consumer "not-running" is not running locally'));
  });

  it("describes the script as it was when the invocation ran, even once replaced or deleted", async () => {
    const ns = await freshNamespace();
    await upload(ns, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["old"] } });
    await (await callTenant(ns, "echo")).text();
    // No waiting for the first trace: it must still say "old".
    await upload(ns, "echo", ECHO_HEADERS, { metadata: { tail_consumers: CONSUMER, tags: ["new"] } });
    await (await callTenant(ns, "echo")).text();
    expect((await api(`/${ns}/scripts/echo`, { method: "DELETE" })).status).toBe(200);
    const found = await waitForTraces(ns, 2);
    expect(found.map((t) => t.scriptTags).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([["new"], ["old"]]);
  });
});
