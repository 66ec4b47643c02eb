/**
 * Bounds a batch to AE's writes per invocation (L = 250; AE_LIMITS) without losing counts.
 * Rule (documented in SCHEMA.md, "Folded points"):
 * - ≤ L rows: one point each.
 * - More: the first k rows stay single; the rest fold into one point per group,
 *   with the largest k such that k + groups ≤ L, trying keys from fine to
 *   coarse: (tenant, namespace, plan, limits, outcome, violation, event type,
 *   status) → (tenant, plan, outcome, violation) → (tenant).
 * - More tenants than L in one batch: the L − 1 busiest keep a point each, the
 *   rest fold into one point under OVERFLOW_TENANT.
 * A folded point carries the group's size in `invocations` and per-invocation
 * means in the additive doubles, so `SUM(_sample_interval * invocations * x)`
 * still gives exact totals per tenant.
 */
import { groupBy } from "@tenantscope/core/group";
import { MIXED, OVERFLOW_TENANT, type BlobName, type DoubleName, type InvocationRow, emptyRow } from "@tenantscope/core/schema";

type Key = (row: InvocationRow) => string;

const FOLD_KEYS: readonly Key[] = [
  (r) => JSON.stringify([r.tenant, r.namespace, r.plan, r.cpuLimitMs, r.subrequestLimit, r.outcome, r.violation, r.eventType, r.status, r.clientStatus, r.errorGroup]),
  (r) => JSON.stringify([r.tenant, r.plan, r.outcome, r.violation]),
  (r) => r.tenant,
];

/** Per-invocation values: folded as the invocation-weighted mean. */
const MEAN_DOUBLES: readonly DoubleName[] = ["cpuMs", "wallMs", "logCount", "exceptionCount", "truncated"];
/** Values that do not add up: kept when the group agrees, else 0. */
const COMMON_DOUBLES: readonly DoubleName[] = ["status", "cpuLimitMs", "subrequestLimit", "clientStatus"];
/** Labels: kept when the group agrees, else MIXED. */
const COMMON_BLOBS: readonly BlobName[] = [
  "tenant", "namespace", "plan", "outcome", "eventType", "method", "violation", "scriptVersion", "entrypoint", "eventDetail", "planSource",
  "errorCode", "errorGroup", "customer",
];

function groupsOf(rows: readonly InvocationRow[], key: Key): InvocationRow[][] {
  return [...groupBy(rows, key).values()];
}

function common<T>(values: readonly T[], mixed: T): T {
  const first = values[0];
  if (first === undefined) return mixed;
  return values.every((v) => v === first) ? first : mixed;
}

/** One point standing for every row in `group`. */
export function foldRows(group: readonly InvocationRow[]): InvocationRow {
  const out = emptyRow();
  const invocations = group.reduce((n, r) => n + r.invocations, 0);
  out.invocations = invocations;
  out.dispatcherAnswers = group.reduce((n, r) => n + r.dispatcherAnswers, 0);
  // Dispatcher answers fold only among themselves (tail.ts), and stay of their kind.
  out.pointKind = group.every((r) => r.pointKind === "dispatcher") ? "dispatcher" : "folded";
  for (const name of MEAN_DOUBLES) {
    const total = group.reduce((s, r) => s + r.invocations * r[name], 0);
    out[name] = invocations > 0 ? total / invocations : 0;
  }
  for (const name of COMMON_DOUBLES) out[name] = common(group.map((r) => r[name]), 0);
  for (const name of COMMON_BLOBS) out[name] = common(group.map((r) => r[name]), MIXED);
  // A sample exception, so a folded error point still says what went wrong.
  const sample = group.find((r) => r.exceptionName !== "" || r.exceptionMessage !== "");
  out.exceptionName = sample?.exceptionName ?? "";
  out.exceptionMessage = sample?.exceptionMessage ?? "";
  out.messageKey = sample?.messageKey ?? "";
  out.logExcerpt = (sample ?? group.find((r) => r.logExcerpt !== ""))?.logExcerpt ?? "";
  return out;
}

export function foldToLimit(rows: readonly InvocationRow[], maxPoints: number): InvocationRow[] {
  if (rows.length <= maxPoints) return [...rows];
  for (const key of FOLD_KEYS) {
    const keys = rows.map(key);
    // distinctFrom[k] = groups among rows[k:], filled from the end in one pass.
    const distinctFrom = Array.from({ length: rows.length }, () => 0);
    const seen = new Set<string>();
    for (let i = rows.length - 1; i >= 0; i--) {
      seen.add(keys[i] ?? "");
      distinctFrom[i] = seen.size;
    }
    // k + groups(rows[k:]) only grows with k, so the first fit from the top is the largest k.
    for (let k = maxPoints - 1; k >= 0; k--) {
      if (k + (distinctFrom[k] ?? 0) <= maxPoints) return [...rows.slice(0, k), ...groupsOf(rows.slice(k), key).map(foldRows)];
    }
  }
  return foldTenantOverflow(rows, maxPoints);
}

/** More tenants than points: the busiest keep theirs, the rest share one. */
function foldTenantOverflow(rows: readonly InvocationRow[], maxPoints: number): InvocationRow[] {
  const byTenant = groupsOf(rows, (r) => r.tenant)
    .map((g) => ({ g, n: g.reduce((s, r) => s + r.invocations, 0) }))
    .sort((a, b) => b.n - a.n);
  const kept = byTenant.slice(0, maxPoints - 1).map(({ g }) => foldRows(g));
  const rest = byTenant.slice(maxPoints - 1).flatMap(({ g }) => g);
  if (rest.length === 0) return kept;
  const overflow = foldRows(rest);
  overflow.tenant = OVERFLOW_TENANT;
  return [...kept, overflow];
}
