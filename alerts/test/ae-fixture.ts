/**
 * Points the AE test (ae.test.ts) imports into the REAL local Analytics Engine, with
 * explicit timestamps and sample intervals around an anchor time. The expected figures
 * in that test are worked out by hand from the comments here.
 */
import { OVERFLOW_TENANT, emptyRow, toDataPoint, type InvocationRow } from "@tenantscope/core/schema";

const MIN = 60_000;
const DAY = 1440 * MIN;

interface Point {
  agoMs: number;
  sampleInterval: number;
  row: Partial<InvocationRow> & { tenant: string };
}

const thrower = { tenant: "thrower", plan: "free", customer: "acme", cpuLimitMs: 10, subrequestLimit: 10, eventType: "fetch", pointKind: "single", violation: "none" } as const;
const burner = { tenant: "burner", plan: "pro", customer: "", cpuLimitMs: 50, subrequestLimit: 100, eventType: "fetch", pointKind: "single", violation: "none", outcome: "ok" } as const;

export const FIXTURE: readonly Point[] = [
  // thrower, the last 5 minutes: 2 ok (1 point, 1 in 2 sampled, 2 ms), 6 exceptions (a fold of 3, 1 in 2, 3 ms each),
  // 1 over its CPU limit (10 ms): 9 invocations, 7 errors, 1 CPU hit; CPU p95 (weights 2, 6, 1) = 10 ms.
  { agoMs: 1 * MIN, sampleInterval: 2, row: { ...thrower, outcome: "ok", invocations: 1, cpuMs: 2 } },
  { agoMs: 2 * MIN, sampleInterval: 2, row: { ...thrower, outcome: "exception", pointKind: "folded", invocations: 3, cpuMs: 3 } },
  { agoMs: 3 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "exceededCpu", violation: "cpu", invocations: 1, cpuMs: 10 } },
  // Never counted: a dispatcher answer, and the overflow fold of several tenants.
  { agoMs: 1 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "", pointKind: "dispatcher", invocations: 0, dispatcherAnswers: 1 } },
  { agoMs: 1 * MIN, sampleInterval: 1, row: { ...thrower, tenant: OVERFLOW_TENANT, outcome: "exception", pointKind: "folded", invocations: 50 } },
  // thrower, 5–10 minutes ago (the previous window): 1 ok invocation, 1 ms.
  { agoMs: 7 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "ok", invocations: 1, cpuMs: 1 } },
  // thrower, the same 5 minutes on days before: day 1: 4, day 2: 2 (1 error), day 3: 3 at the window's first
  // second; outside: day 1 six minutes before the window's end, day 3's end (exclusive).
  { agoMs: DAY + 2 * MIN, sampleInterval: 4, row: { ...thrower, outcome: "ok", invocations: 1 } },
  { agoMs: 2 * DAY + 4 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "ok", invocations: 1 } },
  { agoMs: 2 * DAY + 4 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "exception", invocations: 1 } },
  { agoMs: 3 * DAY + 5 * MIN, sampleInterval: 3, row: { ...thrower, outcome: "ok", invocations: 1 } },
  { agoMs: DAY + 6 * MIN, sampleInterval: 1, row: { ...thrower, outcome: "ok", invocations: 100 } },
  { agoMs: 3 * DAY, sampleInterval: 1, row: { ...thrower, outcome: "ok", invocations: 100 } },
  // burner, the last 5 minutes: 20 invocations of 1..20 ms: p95 = 19 ms; 210 ms in all.
  ...Array.from({ length: 20 }, (_, i): Point => ({ agoMs: 30_000 + i * 1000, sampleInterval: 1, row: { ...burner, invocations: 1, cpuMs: i + 1 } })),
];

export function importLines(anchorMs: number): string {
  return FIXTURE.map((p) => {
    const dp = toDataPoint({ ...emptyRow(), ...p.row });
    return JSON.stringify({ timestamp: new Date(anchorMs - p.agoMs).toISOString(), _sample_interval: p.sampleInterval, index1: dp.indexes[0], blobs: dp.blobs, doubles: dp.doubles });
  }).join("\n");
}
