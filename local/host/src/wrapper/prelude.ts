/**
 * Evaluated in the tenant's isolate before the tenant's code (the main module
 * imports it first). It tags each outbound fetch with the invocation id, kept in an
 * AsyncLocalStorage, so that the subrequest gate can count per invocation in a
 * cached isolate. It also keeps V8's GC function (GC_GLOBAL) from the tenant.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { GC_GLOBAL, INVOCATION_HEADER, type InvocationStore } from "./protocol.ts";

const gc: unknown = Reflect.get(globalThis, GC_GLOBAL);
// Hidden from the tenant, as production has none; a global function cannot be deleted, so undefined.
if (!Reflect.deleteProperty(globalThis, GC_GLOBAL)) Reflect.set(globalThis, GC_GLOBAL, undefined);

/** A full GC of this isolate, for the supervisor between invocations (the probe's `collect`). */
export function collectGarbage(): boolean {
  if (typeof gc !== "function") return false;
  Reflect.apply(gc, globalThis, []);
  return true;
}

export const invocation = new AsyncLocalStorage<InvocationStore>();

const realFetch = globalThis.fetch;
globalThis.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const store = invocation.getStore();
  if (store === undefined) return realFetch(input, init);
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, store.id);
  return realFetch(request);
};
