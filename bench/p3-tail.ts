/**
 * P3, the Tail Worker's cost per trace: `handleTail` (the whole tail handler:
 * read each TraceItem, resolve plans, fold past 25, build the points) over
 * synthetic traces, in batches as the runtime delivers them. It runs in Node's
 * V8, the engine workerd embeds, without the RPC hop, so the figure is the
 * handler's own CPU. Writes go to a counting dataset; KV to an in-memory map.
 */
import { TtlCache } from "@tenantscope/core/plan-resolver";
import { AE_LIMITS } from "@tenantscope/core/schema";
import { handleTail, type TailEnv } from "../tail-worker/src/tail.ts";

const NS = "tenantscope-tenants";
const OUTCOMES = ["ok", "ok", "ok", "ok", "ok", "ok", "exception", "exceededCpu", "canceled", "responseStreamDisconnected"];

/** A realistic mix: mostly fetches with the dispatcher's headers, some other events. */
export function syntheticTrace(i: number): Record<string, unknown> {
  const tenant = `tenant-${i % 1000}`;
  const outcome = OUTCOMES[i % OUTCOMES.length] ?? "ok";
  const fetchEvent = {
    request: {
      method: i % 7 === 0 ? "POST" : "GET",
      url: `https://${tenant}.tenants.example.com/path/${i % 50}`,
      headers: { accept: "*/*", "x-tenantscope-plan": "pro", "x-tenantscope-limits": '{"cpuMs":50,"subRequests":100}' },
    },
    ...(outcome === "exceededCpu" ? {} : { response: { status: outcome === "exception" ? 500 : 200 } }),
  };
  const event = i % 20 === 19 ? { scheduledTime: 1_790_000_000_000, cron: "*/5 * * * *" } : fetchEvent;
  const exceptions = outcome === "exception"
    ? [{ name: "Error", message: i % 3 === 0 ? "Too many subrequests by single Worker invocation." : `boom ${"x".repeat(i % 200)}`, timestamp: 1 }]
    : [];
  return {
    scriptName: tenant,
    dispatchNamespace: NS,
    scriptTags: ["demo"],
    scriptVersion: { id: "5f3c0e2a" },
    entrypoint: "default",
    event,
    eventTimestamp: 1_790_000_000_000 + i,
    logs: Array.from({ length: i % 4 }, (_, k) => ({ timestamp: k, level: "log", message: [`line ${k}`] })),
    exceptions,
    diagnosticsChannelEvents: [],
    outcome,
    executionModel: "stateless",
    truncated: false,
    cpuTime: 1 + (i % 40),
    wallTime: 2 + (i % 90),
  };
}

export interface P3Options {
  items: number;
}

async function measure(items: number, batch: number, traces: readonly Record<string, unknown>[]): Promise<{ usPerTrace: number; points: number }> {
  let points = 0;
  const kv = new Map<string, string>([["tenant:tenant-19", '{"plan":"enterprise"}']]);
  const env: TailEnv = {
    DEFAULT_PLAN: "free",
    PLAN_CACHE_TTL_SECONDS: "30",
    INVOCATIONS: { writeDataPoint: () => { points++; } },
    PLANS: { get: async (key: string) => kv.get(key) ?? null },
  };
  const options = { log: () => {}, cache: new TtlCache() };
  const cpuBefore = process.cpuUsage();
  for (let start = 0; start < items; start += batch) {
    await handleTail(traces.slice(start, Math.min(items, start + batch)), env, options);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { usPerTrace: (cpu.user + cpu.system) / items, points };
}

export async function runP3(opts: P3Options): Promise<void> {
  const traces = Array.from({ length: opts.items }, (_, i) => syntheticTrace(i));
  console.log(`P3 setup: handleTail in Node ${process.version} (V8), ${opts.items} synthetic traces (1000 tenants, 10 outcomes, 5% scheduled), CPU time via process.cpuUsage`);
  // One untimed pass so that the JIT has compiled the handler.
  await measure(Math.min(opts.items, 20_000), 10, traces);
  const limit = AE_LIMITS.writesPerInvocation;
  for (const batch of [1, 10, 25, 100, 1000]) {
    const r = await measure(opts.items, batch, traces);
    const note = batch > limit ? ` (batches past ${limit} fold their overflow)` : "";
    console.log(`P3 batch=${String(batch).padStart(3)}: ${r.usPerTrace.toFixed(2)} µs CPU per trace, ${r.points} points for ${opts.items} traces${note}`);
  }
}
