/**
 * tenantscope-tenant-host: runs tenant scripts in a tenant process (local/dev/tenants).
 * The supervisor sends it one invocation at a time, with RUN_HEADER naming the
 * script version; it loads the isolate (code from the stand-in), runs the tenant's
 * fetch with its subrequests counted, and answers what the tenant answered, or the
 * tenant's exception in RUN_ERROR_HEADER. Traces go back to the stand-in's relay.
 * - default export: ping, warm, invoke
 * - SubrequestGate: the tenants' globalOutbound
 * - TailForwarder: the tenants' tail
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { entrypointOptions } from "./entrypoint.ts";
import { beginInvocation, endInvocation, findInvocation, subrequestsOf } from "./invocations.ts";
import { collectTenant, loadCalibration, loadScript, warm, type LoaderContext } from "./loader.ts";
import {
  HOST_PATHS,
  RUN_ERROR_HEADER,
  RUN_HEADER,
  RUNTIME_RESPONSE_HEADERS,
  SUBREQUESTS_HEADER,
  parseRunHeader,
  type RunHeader,
  type TenantException,
} from "./run-protocol.ts";
import { GC_GLOBAL, INVOCATION_HEADER } from "./wrapper/protocol.ts";

export { SubrequestGate } from "./gate.ts";
export { TailForwarder } from "./tail.ts";

function exception(error: unknown): Response {
  const body: TenantException =
    error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
  return Response.json(body, { status: 500, headers: { [RUN_ERROR_HEADER]: "exception" } });
}

/** A tenant's own runtime headers would fake its CPU or a runtime error. */
function withoutRuntimeHeaders(response: Response): Response {
  if (!RUNTIME_RESPONSE_HEADERS.some((name) => response.headers.has(name))) return response;
  const copy = new Response(response.body, response);
  for (const name of RUNTIME_RESPONSE_HEADERS) copy.headers.delete(name);
  return copy;
}

/**
 * Tells the supervisor how many subrequests the invocation made (SUBREQUESTS_HEADER),
 * and ends its subrequest count once its body has been sent: a body may still fetch.
 */
function endWithBody(tenantResponse: Response, id: string): Response {
  const response = withoutRuntimeHeaders(tenantResponse);
  const made = subrequestsOf(findInvocation(id));
  if (response.body === null || response.webSocket !== null) {
    endInvocation(id);
    // A WebSocket answer cannot be copied; most answers without a body made no subrequest.
    if (made === 0 || response.webSocket !== null) return response;
    const copy = new Response(null, response);
    copy.headers.set(SUBREQUESTS_HEADER, String(made));
    return copy;
  }
  const done = new TransformStream<Uint8Array, Uint8Array>({ flush: () => endInvocation(id) });
  const streamed = new Response(response.body.pipeThrough(done), response);
  if (made > 0) streamed.headers.set(SUBREQUESTS_HEADER, String(made));
  return streamed;
}

/** The tenant isolate's garbage, then the host's own, collected while no invocation runs (HOST_PATHS.gc). */
async function collectGarbage(tenant: WorkerStub): Promise<Response> {
  const gc: unknown = Reflect.get(globalThis, GC_GLOBAL);
  if (typeof gc !== "function" || !(await collectTenant(tenant))) return new Response(`V8 runs without --expose-gc-as=${GC_GLOBAL}`, { status: 501 });
  Reflect.apply(gc, globalThis, []);
  return new Response(null, { status: 204 });
}

export default class TenantHost extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === HOST_PATHS.ping) return new Response("pong");
    if (url.pathname === HOST_PATHS.subrequests) return new Response(String(subrequestsOf(findInvocation(url.searchParams.get("id")))));
    const run = parseRunHeader(request.headers.get(RUN_HEADER));
    if (run === null) return new Response(`missing or invalid ${RUN_HEADER}`, { status: 400, headers: { [RUN_ERROR_HEADER]: "bad_run" } });
    const calibrating = url.pathname === HOST_PATHS.calibrate;
    // The context's stubs are made only when an isolate is loaded, not on every call to a loaded one.
    const context = (): LoaderContext => this.loaderContext(run);
    const stub = calibrating ? loadCalibration(this.env, context) : loadScript(run, this.env, context);
    if (url.pathname === HOST_PATHS.gc) return collectGarbage(stub);
    if (url.pathname === HOST_PATHS.warm) {
      try {
        await warm(stub);
      } catch (error) {
        return exception(error);
      }
      return new Response(null, { status: 204 });
    }
    return this.invoke(stub, run, request);
  }

  private async invoke(stub: WorkerStub, run: RunHeader, request: Request): Promise<Response> {
    beginInvocation(run.id, run.subRequests ?? Number.POSITIVE_INFINITY, Date.now(), run.outbound?.service);
    const tagged = new Request(request);
    tagged.headers.delete(RUN_HEADER);
    // The tail relay matches the trace to this invocation by this header, and the wrapper
    // keeps it for the tenant's subrequests; it hides it from the tenant.
    tagged.headers.set(INVOCATION_HEADER, run.id);
    try {
      return endWithBody(await stub.getEntrypoint(undefined, entrypointOptions(run)).fetch(tagged), run.id);
    } catch (error) {
      endInvocation(run.id);
      return exception(error);
    }
  }

  private loaderContext(run: RunHeader): LoaderContext {
    const props = { namespace: run.namespace, script: run.script };
    return {
      env: this.env,
      gate: this.ctx.exports.SubrequestGate({ props }),
      tails: [this.ctx.exports.TailForwarder({ props })],
    };
  }
}
