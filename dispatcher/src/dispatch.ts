/**
 * The call into the tenant: the request it sees, and the production call
 * shape `get(name, {}, { limits }).fetch(request)`.
 */
import { HEADER_LIMITS, HEADER_PLAN, HEADER_PLAN_SOURCE, HEADER_PREFIX, HEADER_TENANT } from "@tenantscope/core/names";
import type { ResolvedTenant } from "@tenantscope/core/plan-resolver";
import { formatLimitsHeader } from "@tenantscope/core/plans";
import type { DispatcherEnv } from "./env.ts";
import { tenantFailure } from "./errors.ts";

/**
 * Headers for the tenant: every inbound `x-tenantscope-*` dropped, so a client
 * cannot forge the plan the tail records, then ours set from the resolved plan.
 */
export function tenantHeaders(inbound: Headers, resolved: ResolvedTenant): Headers {
  const headers = new Headers(inbound);
  // Collect first: deleting while iterating a Headers skips entries.
  const ours = [...headers.keys()].filter((name) => name.startsWith(HEADER_PREFIX));
  for (const name of ours) headers.delete(name);
  headers.set(HEADER_TENANT, resolved.tenant);
  headers.set(HEADER_PLAN, resolved.plan);
  headers.set(HEADER_LIMITS, formatLimitsHeader(resolved.limits));
  // So the tail records that these limits were a fallback, not the tenant's plan.
  if (resolved.source === "fallback") headers.set(HEADER_PLAN_SOURCE, "fallback");
  return headers;
}

/**
 * The request as the tenant sees it. `new Request(url, request)` is the
 * runtime's way to change only the URL: method, body (still a stream, not
 * buffered) and `cf` carry over. Redirects stay the tenant's to return.
 */
export function tenantRequest(original: Request, url: URL, resolved: ResolvedTenant): Request {
  const moved = new Request(url.toString(), original);
  return new Request(moved, { headers: tenantHeaders(original.headers, resolved), redirect: "manual" });
}

/** Calls the tenant and returns its response untouched; whatever `fetch()` throws is the tenant's error. */
export async function callTenant(namespace: DispatcherEnv["DISPATCHER"], resolved: ResolvedTenant, request: Request): Promise<Response> {
  const { cpuMs, subRequests } = resolved.limits;
  const worker = namespace.get(resolved.tenant, {}, { limits: { cpuMs, subRequests } });
  try {
    return await worker.fetch(request);
  } catch (error) {
    throw tenantFailure(error, resolved.tenant, resolved.limits);
  } finally {
    release(worker);
  }
}

/** `Symbol.dispose`, which the Workers runtime has; the dispatcher's TypeScript lib predates it. */
const DISPOSE: symbol | undefined = (Symbol as { dispose?: symbol }).dispose;

/**
 * What `get()` answered may be an RPC stub (a binding implemented by another Worker,
 * as the local stand-in is), which holds the callee's call open until it is disposed
 * or, much later, collected ("An RPC stub was not disposed properly"). Once the
 * response has arrived it is no longer needed: its body travels on a stream of its own.
 * A plain Fetcher has nothing to dispose.
 */
function release(worker: object): void {
  if (DISPOSE === undefined) return;
  const dispose: unknown = Reflect.get(worker, DISPOSE);
  if (typeof dispose === "function") Reflect.apply(dispose, worker, []);
}
