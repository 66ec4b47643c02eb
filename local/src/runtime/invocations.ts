/**
 * Per-invocation bookkeeping shared by the namespace entrypoint and the
 * subrequest gate. Both run in this Worker's one isolate, so a module-level map
 * is the shared state; entries are keyed by an id the tenant's wrapper attaches
 * to every outbound fetch.
 */
import { ExpiringMap } from "./expiring.ts";

export interface Invocation {
  id: string;
  subRequestLimit: number;
  subRequests: number;
  /** Milliseconds spent waiting on subrequests, as a union of intervals. */
  waitMs: number;
  inFlight: number;
  waitStartedAt: number;
  createdAt: number;
}

/** Bodies may stream (and fetch) after the response; entries live this long. */
const invocations = new ExpiringMap<Invocation>(5 * 60_000);

export const SUBREQUEST_LIMIT_MESSAGE = "Too many subrequests by single Worker invocation.";

export function beginInvocation(subRequestLimit: number, now: number): Invocation {
  const inv: Invocation = {
    id: crypto.randomUUID(),
    subRequestLimit,
    subRequests: 0,
    waitMs: 0,
    inFlight: 0,
    waitStartedAt: 0,
    createdAt: now,
  };
  invocations.set(inv.id, inv, now);
  return inv;
}

export function findInvocation(id: string | null): Invocation | undefined {
  return id === null ? undefined : invocations.get(id);
}

export function endInvocation(id: string): void {
  invocations.delete(id);
}

/** Counts one subrequest; returns false when it is past the limit. */
export function admitSubrequest(inv: Invocation): boolean {
  inv.subRequests += 1;
  return inv.subRequests <= inv.subRequestLimit;
}

/** Overlapping subrequests wait once: track the union of their intervals. */
export function waitStarted(inv: Invocation, now: number): void {
  if (inv.inFlight++ === 0) inv.waitStartedAt = now;
}

export function waitEnded(inv: Invocation, now: number): void {
  if (inv.inFlight === 0) return;
  if (--inv.inFlight === 0) inv.waitMs += Math.max(0, now - inv.waitStartedAt);
}
