/**
 * Source text of the modules that wrap every tenant in the Worker Loader.
 * - The prelude is evaluated before the tenant's code. It tags each outbound
 *   fetch with the invocation id (kept in an AsyncLocalStorage), so that the
 *   subrequest gate can count per invocation in a cached isolate, and it
 *   measures time spent waiting on timers.
 * - The wrapper is the main module: it runs the tenant's handler inside that
 *   context and reports the timer wait in a response header the stand-in strips.
 * - The service-worker shim turns `addEventListener('fetch', …)` scripts into a
 *   module, with bindings as globals as in that format.
 */
import { INVOCATION_HEADER } from "./invocations.ts";

export const WRAPPER_DIR = "__tenantscope";
export const PRELUDE_MODULE = `${WRAPPER_DIR}/prelude.js`;
export const WRAPPER_MODULE = `${WRAPPER_DIR}/wrapper.js`;
export const SW_MODULE = `${WRAPPER_DIR}/service-worker.js`;
export const TIMER_WAIT_HEADER = "x-tenantscope-timer-wait-ms";
export const PROBE_ENTRYPOINT = "TenantscopeProbe";

export const PRELUDE_SOURCE = `
import { AsyncLocalStorage } from "node:async_hooks";
export const invocation = new AsyncLocalStorage();
const HEADER = ${JSON.stringify(INVOCATION_HEADER)};
const realFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const store = invocation.getStore();
  if (store === undefined) return realFetch(input, init);
  const request = new Request(input, init);
  request.headers.set(HEADER, store.id);
  return realFetch(request);
};
const realSetTimeout = globalThis.setTimeout;
// A timer's wait is the part of its delay that really passed; overlapping
// timers count once.
globalThis.setTimeout = function setTimeout(callback, ms, ...args) {
  const store = invocation.getStore();
  if (store === undefined || typeof callback !== "function") return realSetTimeout(callback, ms, ...args);
  const startedAt = Date.now();
  const delay = Math.max(0, Number(ms) || 0);
  return realSetTimeout(() => {
    const end = Math.min(Date.now(), startedAt + delay);
    const from = Math.max(startedAt, store.timerCoveredUntil);
    if (end > from) store.timerWaitMs += end - from;
    store.timerCoveredUntil = Math.max(store.timerCoveredUntil, end);
    return callback(...args);
  }, ms);
};
`;

/** Relative specifier from the wrapper's folder to a tenant module. */
function fromWrapper(moduleName: string): string {
  return `../${moduleName.replace(/^\.\//, "")}`;
}

export function wrapperSource(tenantMain: string): string {
  return `
import { invocation } from "./prelude.js";
import * as tenantModule from ${JSON.stringify(fromWrapper(tenantMain))};
import { WorkerEntrypoint } from "cloudflare:workers";

const tenant = tenantModule.default;
const INVOCATION_HEADER = ${JSON.stringify(INVOCATION_HEADER)};

export class ${PROBE_ENTRYPOINT} extends WorkerEntrypoint {
  ping() { return "ready"; }
}

function handlerOf(env, ctx) {
  if (typeof tenant === "function" && typeof tenant.prototype?.fetch === "function") {
    const instance = new tenant(ctx, env);
    return (request) => instance.fetch(request);
  }
  if (tenant !== null && typeof tenant === "object" && typeof tenant.fetch === "function") {
    return (request) => tenant.fetch(request, env, ctx);
  }
  return null;
}

export default {
  async fetch(request, env, ctx) {
    const handler = handlerOf(env, ctx);
    if (handler === null) throw new Error("Handler does not export a fetch() function.");
    if (request.headers.has(INVOCATION_HEADER)) {
      request = new Request(request);
      request.headers.delete(INVOCATION_HEADER);
    }
    const store = { id: ctx.props?.invocation ?? "", timerWaitMs: 0, timerCoveredUntil: 0 };
    const response = await invocation.run(store, () => handler(request));
    if (!(response instanceof Response)) throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
    if (store.timerWaitMs === 0 || response.webSocket) return response;
    const reported = new Response(response.body, response);
    reported.headers.set(${JSON.stringify(TIMER_WAIT_HEADER)}, String(store.timerWaitMs));
    return reported;
  },
};
`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Service-worker scripts see bindings as globals; names that are not identifiers stay on env only. */
export function serviceWorkerShim(source: string, bindingNames: string[]): string {
  const globals = bindingNames
    .filter((n) => IDENTIFIER.test(n) && n !== "addEventListener")
    .map((n) => `const ${n} = __tenantscopeEnv[${JSON.stringify(n)}];`)
    .join("\n");
  return `
import { env as __tenantscopeEnv } from "cloudflare:workers";
const __tenantscopeListeners = [];
function addEventListener(type, listener) {
  if (type === "fetch") __tenantscopeListeners.push(listener);
}
${globals}
${source}
;
export default {
  async fetch(request, env, ctx) {
    let response;
    let responded = false;
    const event = {
      type: "fetch",
      request,
      respondWith(r) { responded = true; response = r; },
      waitUntil(p) { ctx.waitUntil(p); },
      passThroughOnException() {},
    };
    for (const listener of __tenantscopeListeners) {
      listener(event);
      if (responded) break;
    }
    if (!responded) throw new Error("No response: the fetch event listener did not call respondWith().");
    return await response;
  },
};
`;
}
