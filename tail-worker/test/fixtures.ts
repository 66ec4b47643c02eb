/**
 * Traces as the tail receives them over RPC: plain JSON with the TraceItem
 * shape (DESIGN.md, "TraceItem"), a fake dataset, and the real local KV (kv.ts).
 */
import { TtlCache } from "@tenantscope/core/plan-resolver";
import type { DataPoint } from "@tenantscope/core/schema";
import { env } from "cloudflare:workers";
import { RecordingKV } from "@tenantscope/core/testing/recording-kv";

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

/** Only strings go into blobs and indexes here; anything else would be a bug in the tail. */
function strings(values: AnalyticsEngineDataPoint["blobs"], what: string): string[] {
  return (values ?? []).map((v) => {
    if (typeof v !== "string") throw new TypeError(`the tail wrote a non-string ${what}`);
    return v;
  });
}

/** Records every point as the tail wrote it; `failOn` makes a write throw, as a full buffer might. */
export class FakeDataset implements AnalyticsEngineDataset {
  readonly points: DataPoint[] = [];
  failOn: ((point: DataPoint) => boolean) | null = null;
  writeDataPoint(event: AnalyticsEngineDataPoint = {}): void {
    const point: DataPoint = { blobs: strings(event.blobs, "blob"), doubles: event.doubles ?? [], indexes: strings(event.indexes, "index") };
    if (this.failOn?.(point) === true) throw new Error("fake dataset refused the point");
    this.points.push(point);
  }
}

/** The tail's bindings as the generated Env types them, with the dataset still reachable as the fake. */
export type TestEnv = Pick<Env, "INVOCATIONS" | "PLANS" | "DEFAULT_PLAN" | "PLAN_CACHE_TTL_SECONDS"> & { INVOCATIONS: FakeDataset };

export function fakeEnv(): { env: TestEnv; kv: RecordingKV; logs: string[]; options: { log: (m: string) => void; cache: TtlCache } } {
  const logs: string[] = [];
  const kv = new RecordingKV(env.PLANS);
  return {
    env: { INVOCATIONS: new FakeDataset(), PLANS: kv.binding, DEFAULT_PLAN: "free", PLAN_CACHE_TTL_SECONDS: "30" },
    kv,
    logs,
    options: { log: (m) => logs.push(m), cache: new TtlCache() },
  };
}
