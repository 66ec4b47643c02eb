/**
 * The dispatch-namespace binding, locally. The dispatcher calls it exactly as in
 * production, `env.NS.get(name, args, { limits }).fetch(request)`, through a
 * service binding to this entrypoint; promise pipelining makes the RpcTarget's
 * `fetch` reachable in one expression.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import { lookupScript } from "../store/client.ts";
import { finishMeasurement, recordCpu, startMeasurement } from "./measurements.ts";
import { beginInvocation, endInvocation, type Invocation } from "./invocations.ts";
import { loadScript, loaderId, warm, type LoaderContext } from "./loader.ts";
import { INVOCATION_HEADER, TIMER_WAIT_HEADER } from "./wrapper/protocol.ts";

export const WORKER_NOT_FOUND = "Worker not found.";
export const CPU_EXCEEDED = "Worker exceeded CPU time limit.";

export interface Limits {
  cpuMs?: number;
  subRequests?: number;
}

export interface NamespaceProps {
  namespace?: string;
}

function finish(inv: Invocation): void {
  endInvocation(inv.id);
  finishMeasurement(inv.id, Date.now());
}

/** Ends the invocation's bookkeeping once the body has been read. */
function trackBody(response: Response, inv: Invocation): Response {
  if (response.body === null || response.webSocket !== null) {
    finish(inv);
    return response;
  }
  const done = new TransformStream<Uint8Array, Uint8Array>({ flush: () => finish(inv) });
  return new Response(response.body.pipeThrough(done), response);
}

function stripTimerHeader(response: Response): Response {
  if (!response.headers.has(TIMER_WAIT_HEADER)) return response;
  const copy = new Response(response.body, response);
  copy.headers.delete(TIMER_WAIT_HEADER);
  return copy;
}

export class TenantWorker extends RpcTarget {
  private readonly loader: LoaderContext;
  private readonly namespace: string;
  private readonly name: string;
  private readonly limits: Limits;

  constructor(loader: LoaderContext, namespace: string, name: string, limits: Limits) {
    super();
    this.loader = loader;
    this.namespace = namespace;
    this.name = name;
    this.limits = limits;
  }

  async fetch(request: Request): Promise<Response> {
    const script = await lookupScript(this.loader.env, this.namespace, this.name);
    if (script === null) throw new Error(WORKER_NOT_FOUND);
    const stub = loadScript(script, this.loader);
    await warm(stub, loaderId(script));
    const inv = beginInvocation(this.limits.subRequests ?? Number.POSITIVE_INFINITY, Date.now());
    // The id also rides on the request, so the tail relay can match the trace to
    // this measurement; the wrapper removes it before the tenant sees the request.
    const tagged = new Request(request);
    tagged.headers.set(INVOCATION_HEADER, inv.id);
    const startedAt = inv.createdAt;
    startMeasurement(inv.id, startedAt, script);
    let response: Response;
    try {
      response = await stub.getEntrypoint(undefined, { props: { invocation: inv.id } }).fetch(tagged);
    } catch (error) {
      recordCpu(inv.id, Math.max(0, Date.now() - startedAt - inv.waitMs), false);
      finish(inv);
      throw error;
    }
    // CPU cannot be interrupted locally: measure to the response headers, less
    // the waits we can see, and fail the invocation after the fact.
    const timerWait = Number(response.headers.get(TIMER_WAIT_HEADER) ?? "0") || 0;
    const cpuMs = Math.max(0, Date.now() - startedAt - inv.waitMs - timerWait);
    const exceeded = this.limits.cpuMs !== undefined && cpuMs > this.limits.cpuMs;
    recordCpu(inv.id, cpuMs, exceeded);
    if (exceeded) {
      finish(inv);
      await response.body?.cancel();
      throw new Error(CPU_EXCEEDED);
    }
    return trackBody(stripTimerHeader(response), inv);
  }
}

export class LocalDispatchNamespace extends WorkerEntrypoint<Env, NamespaceProps> {
  get(name: string, _args?: Record<string, unknown>, options?: { limits?: Limits }): TenantWorker {
    const namespace = this.ctx.props?.namespace ?? this.env.DEFAULT_NAMESPACE;
    const loader: LoaderContext = {
      env: this.env,
      gate: this.ctx.exports.SubrequestGate({ props: { namespace, script: name } }),
      tails: [this.ctx.exports.TailRelay({ props: { namespace, script: name } })],
    };
    return new TenantWorker(loader, namespace, name, options?.limits ?? {});
  }
}
