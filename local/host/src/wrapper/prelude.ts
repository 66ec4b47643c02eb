/**
 * Evaluated in the tenant's isolate before the tenant's code (the main module
 * imports it first). It tags each outbound fetch with the invocation id, kept in an
 * AsyncLocalStorage, so that the subrequest gate can count per invocation in a
 * cached isolate.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { GC_GLOBAL, INVOCATION_HEADER, type InvocationStore } from "./protocol.ts";

// A global function declaration cannot be deleted; this leaves it undefined.
if (!Reflect.deleteProperty(globalThis, GC_GLOBAL)) Reflect.set(globalThis, GC_GLOBAL, undefined);

export const invocation = new AsyncLocalStorage<InvocationStore>();

const realFetch = globalThis.fetch;
globalThis.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const store = invocation.getStore();
  if (store === undefined) return realFetch(input, init);
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, store.id);
  return realFetch(request);
};
