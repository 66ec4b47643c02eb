/**
 * A quota rule's stop (core/src/plans.ts `QuotaStop`): until `until` the tenant gets 429
 * `quota_exceeded`, with Retry-After counting down to it. The stop is compared with the
 * clock on every request, not when the record was read, so a record still in the plan
 * cache (or not yet cleared by the evaluator) lifts exactly at `until`.
 */
import type { QuotaStop } from "@tenantscope/core/plans";
import { DispatchError } from "./errors.ts";

/** The error to answer with while the stop holds, or null once it has lifted (or there is none). */
export function quotaStopError(tenant: string, stop: QuotaStop | null, nowMs: number): DispatchError | null {
  if (stop === null) return null;
  const untilMs = Date.parse(stop.until);
  if (!(untilMs > nowMs)) return null;
  // Whole seconds, rounded up: a client that waits exactly Retry-After is never early.
  const retryAfter = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  // Names in quotes, so the tail's error grouping folds every period's stop into one group.
  return new DispatchError("quota_exceeded", `Tenant "${tenant}" has used its quota (rule "${stop.rule}"); it is served again from "${stop.until}".`, { retryAfter });
}
