/**
 * The known data every test reads: a handful of points, imported into the REAL local
 * Analytics Engine by global-setup.ts with explicit timestamps and sample intervals.
 * The expected figures in the tests are computed by hand from this table (see the
 * comments there), not by re-running the dashboard's logic.
 */
import { errorGroupId, normaliseMessage } from "@tenantscope/core/error-groups";
import { emptyRow, toDataPoint, type InvocationRow } from "@tenantscope/core/schema";

export interface FixturePoint {
  /** How long before the anchor time the point was written. */
  agoMs: number;
  sampleInterval: number;
  row: Partial<InvocationRow> & { tenant: string };
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function point(agoMs: number, sampleInterval: number, row: FixturePoint["row"]): FixturePoint {
  return { agoMs, sampleInterval, row };
}

const free = { plan: "free", cpuLimitMs: 10, subrequestLimit: 10 } as const;
const pro = { plan: "pro", cpuLimitMs: 50, subrequestLimit: 100 } as const;
const ok = { outcome: "ok", violation: "none", eventType: "fetch", method: "GET", pointKind: "single" } as const;

/** The error fields the Tail Worker adds (tail-worker/src/errors.ts), computed by core's own functions. */
function errorFields(f: { code: string; outcome: string; name: string; message: string; version: string; clientStatus: number; logs?: string }): Partial<InvocationRow> {
  const messageKey = normaliseMessage(f.message);
  return {
    errorCode: f.code, clientStatus: f.clientStatus, messageKey, scriptVersion: f.version, logExcerpt: f.logs ?? "",
    errorGroup: errorGroupId({ code: f.code, outcome: f.outcome, name: f.name, messageKey, version: f.version }),
  };
}

/** A request the dispatcher answered itself (tail-worker/src/answers.ts): no invocation. */
function answer(tenant: string, status: number, code: string, message: string, method = "GET"): FixturePoint["row"] {
  return {
    tenant, eventType: "fetch", method, violation: "none", planSource: "none", pointKind: "dispatcher", invocations: 0, dispatcherAnswers: 1,
    exceptionMessage: message, ...errorFields({ code, outcome: "", name: "", message, version: "", clientStatus: status }),
  };
}

export const FIXTURE: readonly FixturePoint[] = [
  // alpha (free): 10 invocations in the last hour; 5 errors; 2 violations; CPU 60 ms; wall 129 ms.
  point(5 * MIN, 1, { tenant: "alpha", ...free, ...ok, invocations: 1, status: 200, cpuMs: 2, wallMs: 5 }),
  point(6 * MIN, 4, { tenant: "alpha", ...free, ...ok, invocations: 1, status: 200, cpuMs: 4, wallMs: 10 }),
  point(7 * MIN, 1, {
    tenant: "alpha", ...free, ...ok, outcome: "exception", pointKind: "folded", invocations: 3, status: 500, cpuMs: 6, wallMs: 20,
    exceptionName: "TypeError", exceptionMessage: "boom <script>alert(1)</script>", exceptionCount: 1,
    ...errorFields({ code: "", outcome: "exception", name: "TypeError", message: "boom <script>alert(1)</script>", version: "v1", clientStatus: 500, logs: "log starting <b>\nerror boom" }),
  }),
  point(8 * MIN, 2, {
    tenant: "alpha", ...free, ...ok, outcome: "exceededCpu", violation: "cpu", invocations: 1, status: 0, cpuMs: 12, wallMs: 12,
    exceptionName: "Error", exceptionMessage: "Worker exceeded CPU time limit.",
    ...errorFields({ code: "cpu_limit_exceeded", outcome: "exceededCpu", name: "Error", message: "Worker exceeded CPU time limit.", version: "v1", clientStatus: 503 }),
  }),
  // Requests the dispatcher answered itself: never invocations, never billed (queries exclude them).
  point(9 * MIN, 2, answer("alpha", 403, "tenant_suspended", 'Tenant "alpha" is suspended.', "POST")),
  point(11 * MIN, 1, answer("alpha", 403, "tenant_suspended", 'Tenant "alpha" is suspended.')),
  point(13 * MIN, 3, answer("ghost", 404, "tenant_not_found", 'No tenant named "ghost" is deployed.')),
  // beta (pro): 11 invocations in the last hour (1 error, a subrequest violation), 10 more 3 days ago.
  point(10 * MIN, 10, { tenant: "beta", ...pro, ...ok, invocations: 1, status: 200, cpuMs: 20, wallMs: 30 }),
  point(12 * MIN, 1, {
    tenant: "beta", ...pro, ...ok, outcome: "exception", violation: "subrequests", invocations: 1, status: 500, cpuMs: 5, wallMs: 100,
    exceptionName: "Error", exceptionMessage: "Too many subrequests by single Worker invocation.", exceptionCount: 1,
  }),
  point(3 * DAY, 5, { tenant: "beta", ...pro, ...ok, invocations: 2, status: 200, cpuMs: 30, wallMs: 40 }),
  // gamma (pro): one 404 half an hour ago, 3 invocations 10 days ago.
  point(30 * MIN, 1, { tenant: "gamma", ...pro, ...ok, invocations: 1, status: 404, cpuMs: 1, wallMs: 2 }),
  point(10 * DAY, 3, { tenant: "gamma", ...pro, ...ok, invocations: 1, status: 200, cpuMs: 3, wallMs: 4 }),
  // A batch that overflowed: 5 invocations of several tenants (tail-worker/SCHEMA.md, rule 3).
  point(15 * MIN, 1, {
    tenant: "~overflow", plan: "(mixed)", outcome: "(mixed)", violation: "(mixed)", pointKind: "folded", invocations: 5, cpuMs: 2, wallMs: 3,
  }),
];

/** The billing month: two calendar months before the anchor's, always within AE's retention and older than any page's 30-day window. */
export function billingMonth(anchorMs: number): { label: string; from: number; to: number } {
  const a = new Date(anchorMs);
  const from = Date.UTC(a.getUTCFullYear(), a.getUTCMonth() - 2, 1);
  return { label: new Date(from).toISOString().slice(0, 7), from, to: Date.UTC(a.getUTCFullYear(), a.getUTCMonth() - 1, 1) };
}

/**
 * The billing month's points. Customer acme owns delta and epsilon; zeta has no tag.
 * delta changes plan from free to pro on day 18. Hand-computed (si × invocations):
 * - acme/delta/free: 2×1 + 1×3 = 5 (ok 2, failed 3), CPU 2×4 + 3×2 = 14, wall 2×8 + 3×5 = 31
 * - acme/delta/pro: 5×1 + 1×1 = 6 (ok 5, failed 1), CPU 5×10 + 60 = 110, wall 5×20 + 61 = 161
 * - acme/epsilon/pro: 10×1 + 1 (last second) = 11, CPU 10×1 + 2 = 12, wall 10×2 + 2 = 22
 * - zeta/zeta/free: 1 (first second) + 3×2 = 7, CPU 1 + 3×2×5 = 31, wall 1 + 3×2×6 = 37
 * Not billed: delta's dispatcher answers (si 4), and a point one second before the month.
 */
export function billingPoints(anchorMs: number): FixturePoint[] {
  const { from, to } = billingMonth(anchorMs);
  const at = (dayMs: number, si: number, row: FixturePoint["row"]): FixturePoint => point(anchorMs - (from + dayMs), si, row);
  const acme = { customer: "acme" } as const;
  const d = (n: number): number => (n - 1) * DAY + 12 * 60 * MIN;
  return [
    at(d(3), 2, { tenant: "delta", ...acme, ...free, ...ok, invocations: 1, status: 200, cpuMs: 4, wallMs: 8 }),
    at(d(10), 1, { tenant: "delta", ...acme, ...free, ...ok, outcome: "exception", pointKind: "folded", invocations: 3, status: 500, cpuMs: 2, wallMs: 5 }),
    at(d(12), 4, { ...answer("delta", 403, "tenant_suspended", 'Tenant "delta" is suspended.'), customer: "acme" }),
    at(d(20), 5, { tenant: "delta", ...acme, ...pro, ...ok, invocations: 1, status: 200, cpuMs: 10, wallMs: 20 }),
    at(d(25), 1, { tenant: "delta", ...acme, ...pro, ...ok, outcome: "exceededCpu", violation: "cpu", invocations: 1, status: 0, cpuMs: 60, wallMs: 61 }),
    at(d(5), 10, { tenant: "epsilon", ...acme, ...pro, ...ok, invocations: 1, status: 200, cpuMs: 1, wallMs: 2 }),
    at(to - from - 1000, 1, { tenant: "epsilon", ...acme, ...pro, ...ok, invocations: 1, status: 200, cpuMs: 2, wallMs: 2 }),
    at(0, 1, { tenant: "zeta", ...free, ...ok, invocations: 1, status: 200, cpuMs: 1, wallMs: 1 }),
    at(d(15), 3, { tenant: "zeta", ...free, ...ok, invocations: 2, status: 200, cpuMs: 5, wallMs: 6 }),
    at(-1000, 100, { tenant: "delta", ...acme, ...pro, ...ok, invocations: 1, status: 200, cpuMs: 1, wallMs: 1 }),
  ];
}

/** One `_import` body line per point (local/README.md "Bulk import"). */
export function importLines(anchorMs: number): string {
  return [...FIXTURE, ...billingPoints(anchorMs)].map((p) => {
    const dp = toDataPoint({ ...emptyRow(), ...p.row });
    return JSON.stringify({
      timestamp: new Date(anchorMs - p.agoMs).toISOString(),
      _sample_interval: p.sampleInterval,
      index1: dp.indexes[0],
      blobs: dp.blobs,
      doubles: dp.doubles,
    });
  }).join("\n");
}

/** The raw count a point stands for: AE kept 1 of `sampleInterval`, and it folds `invocations`. */
export function rawInvocations(points: readonly FixturePoint[]): number {
  return points.reduce((n, p) => n + p.sampleInterval * (p.row.invocations ?? 1), 0);
}
