/**
 * The main module of every tenant's Worker Loader code: it runs the tenant's fetch
 * handler inside the invocation's context (prelude.ts), so its subrequests carry
 * the invocation's id. The id comes in INVOCATION_HEADER, which the tenant never
 * sees; `ctx` (and so `ctx.props`, the dispatcher's props) is the tenant's own.
 *
 * `.js` imports are other modules of the loader code, kept as imports when this file
 * is bundled to text (local/dev/text-modules.ts); `.ts` imports are bundled in.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { collectGarbage, invocation } from "./prelude.js";
import tenant from "./tenant.js";
import { INVOCATION_HEADER, type InvocationStore, type PROBE_ENTRYPOINT } from "./protocol.ts";

type Handler = (request: Request) => unknown;
type TenantClass = new (ctx: ExecutionContext, env: unknown) => { fetch(request: Request): unknown };
interface TenantObject {
  fetch(request: Request, env: unknown, ctx: ExecutionContext): unknown;
}

/** The stand-in's warm-up call loads the isolate before the timed one; the supervisor collects it between invocations. */
class Probe extends WorkerEntrypoint {
  ping(): string {
    return "ready";
  }

  collect(): boolean {
    return collectGarbage();
  }
}
export { Probe as TenantscopeProbe };
// The export's name is the protocol's; keep them the same.
const _probeName: typeof PROBE_ENTRYPOINT = "TenantscopeProbe";

function isTenantClass(value: unknown): value is TenantClass {
  return typeof value === "function" && typeof (value.prototype as { fetch?: unknown } | undefined)?.fetch === "function";
}

function isTenantObject(value: unknown): value is TenantObject {
  return typeof value === "object" && value !== null && "fetch" in value && typeof value.fetch === "function";
}

function handlerOf(env: unknown, ctx: ExecutionContext): Handler | null {
  const exported: unknown = tenant;
  if (isTenantClass(exported)) {
    const instance = new exported(ctx, env);
    return (request) => instance.fetch(request);
  }
  if (isTenantObject(exported)) return (request) => exported.fetch(request, env, ctx);
  return null;
}

export default {
  async fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
    const handler = handlerOf(env, ctx);
    if (handler === null) throw new Error("Handler does not export a fetch() function.");
    const store: InvocationStore = { id: request.headers.get(INVOCATION_HEADER) ?? "" };
    if (request.headers.has(INVOCATION_HEADER)) {
      request = new Request(request);
      request.headers.delete(INVOCATION_HEADER);
    }
    const response = await invocation.run(store, () => handler(request));
    if (!(response instanceof Response)) throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
    return response;
  },
};
