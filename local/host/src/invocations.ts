/**
 * Subrequest counts per invocation. The host's entrypoint and its subrequest gate
 * run in the host's one isolate, so a module-level map is the shared state; entries
 * are keyed by the id the tenant's wrapper attaches to every outbound fetch.
 */
import { ExpiringMap } from "@tenantscope/core/expiring";

export interface Invocation {
  id: string;
  subRequestLimit: number;
  subRequests: number;
  /** The namespace's Outbound Worker, if it has one: the subrequests go through it. */
  outbound?: string;
}

/** Bodies may stream (and fetch) after the response; entries live this long. */
const invocations = new ExpiringMap<Invocation>(5 * 60_000);

export const SUBREQUEST_LIMIT_MESSAGE = "Too many subrequests by single Worker invocation.";

export function beginInvocation(id: string, subRequestLimit: number, now: number, outbound?: string): Invocation {
  const inv: Invocation = { id, subRequestLimit, subRequests: 0, ...(outbound === undefined ? {} : { outbound }) };
  invocations.set(id, inv, now);
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

/** Subrequests it made that left the gate (refused ones cost next to nothing); 0 for none or an ended invocation. */
export function subrequestsOf(inv: Invocation | undefined): number {
  return inv === undefined ? 0 : Math.min(inv.subRequests, inv.subRequestLimit);
}
