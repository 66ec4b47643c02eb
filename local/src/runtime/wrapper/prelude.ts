/**
 * Evaluated in the tenant's isolate before the tenant's code (the main module
 * imports it first). It tags each outbound fetch with the invocation id, kept in an
 * AsyncLocalStorage, so that the subrequest gate can count per invocation in a
 * cached isolate, and it measures time spent waiting on timers.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { INVOCATION_HEADER, type InvocationStore } from "./protocol.ts";

export const invocation = new AsyncLocalStorage<InvocationStore>();

const realFetch = globalThis.fetch;
globalThis.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const store = invocation.getStore();
  if (store === undefined) return realFetch(input, init);
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, store.id);
  return realFetch(request);
};

/** setTimeout as the tenant may call it: any callback, extra arguments passed on. */
type SetTimeout = (callback: unknown, ms?: number, ...args: unknown[]) => unknown;
const realSetTimeout = globalThis.setTimeout as unknown as SetTimeout;
// A timer's wait is the part of its delay that really passed; overlapping timers count once.
const measuredSetTimeout: SetTimeout = function setTimeout(callback, ms, ...args) {
  const store = invocation.getStore();
  if (store === undefined || typeof callback !== "function") return realSetTimeout(callback, ms, ...args);
  const startedAt = Date.now();
  const delay = Math.max(0, Number(ms) || 0);
  return realSetTimeout(() => {
    const end = Math.min(Date.now(), startedAt + delay);
    const from = Math.max(startedAt, store.timerCoveredUntil);
    if (end > from) store.timerWaitMs += end - from;
    store.timerCoveredUntil = Math.max(store.timerCoveredUntil, end);
    return (callback as (...a: unknown[]) => unknown)(...args);
  }, ms);
};
globalThis.setTimeout = measuredSetTimeout as unknown as typeof globalThis.setTimeout;
