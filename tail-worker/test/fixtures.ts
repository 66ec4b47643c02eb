/**
 * Traces as the tail receives them over RPC: plain JSON with the TraceItem
 * shape (DESIGN.md, "TraceItem"), and fakes for the dataset and KV.
 */
import { TtlCache, type KVReader } from "@tenantscope/core/plan-resolver";
import type { DataPoint } from "@tenantscope/core/schema";
import type { DataPointWriter, TailEnv } from "../src/tail.ts";

export type TraceJson = Record<string, unknown>;

export const NS = "tenantscope-tenants";

export function fetchEvent(opts: { method?: string; status?: number; plan?: string; limits?: string } = {}): TraceJson {
  const headers: Record<string, string> = { accept: "*/*" };
  if (opts.plan !== undefined) headers["x-tenantscope-plan"] = opts.plan;
  if (opts.limits !== undefined) headers["x-tenantscope-limits"] = opts.limits;
  const event: TraceJson = { request: { method: opts.method ?? "GET", url: "https://hello.tenants.example.com/REDACTED", headers, cf: {} } };
  if (opts.status !== undefined) event.response = { status: opts.status };
  return event;
}

export const EVENTS: Record<string, TraceJson | null> = {
  fetch: fetchEvent({ status: 200 }),
  scheduled: { scheduledTime: 1_790_000_000_000, cron: "*/5 * * * *" },
  queue: { queue: "jobs", batchSize: 3 },
  alarm: { scheduledTime: "2026-11-23T10:00:00.000Z" },
  email: { mailFrom: "a@example.com", rcptTo: "b@example.com", rawSize: 120 },
  rpc: { rpcMethod: "doThing" },
  tail: { consumedEvents: [{ scriptName: "x" }] },
  custom: {},
  unknown: null,
};

export function trace(overrides: TraceJson = {}): TraceJson {
  return {
    scriptName: "hello",
    dispatchNamespace: NS,
    scriptTags: ["plan:pro"],
    scriptVersion: { id: "v-123" },
    entrypoint: "default",
    event: fetchEvent({ status: 200, plan: "pro", limits: '{"cpuMs":50,"subRequests":100}' }),
    eventTimestamp: 1_790_000_000_000,
    logs: [{ timestamp: 1, level: "log", message: ["hi"] }],
    exceptions: [],
    diagnosticsChannelEvents: [],
    outcome: "ok",
    executionModel: "stateless",
    truncated: false,
    cpuTime: 3,
    wallTime: 7,
    ...overrides,
  };
}

export class FakeDataset implements DataPointWriter {
  readonly points: DataPoint[] = [];
  failOn: ((point: DataPoint) => boolean) | null = null;
  writeDataPoint(point: DataPoint): void {
    if (this.failOn?.(point) === true) throw new Error("fake dataset refused the point");
    this.points.push(point);
  }
}

export class FakeKV implements KVReader {
  readonly data = new Map<string, string>();
  reads = 0;
  fail = false;
  async get(key: string): Promise<string | null> {
    this.reads++;
    if (this.fail) throw new Error("KV unavailable");
    return this.data.get(key) ?? null;
  }
}

export function fakeEnv(): { env: TailEnv & { INVOCATIONS: FakeDataset; PLANS: FakeKV }; logs: string[]; options: { log: (m: string) => void; cache: TtlCache } } {
  const logs: string[] = [];
  return {
    env: { INVOCATIONS: new FakeDataset(), PLANS: new FakeKV(), DEFAULT_PLAN: "free", PLAN_CACHE_TTL_SECONDS: "30" },
    logs,
    options: { log: (m) => logs.push(m), cache: new TtlCache() },
  };
}
