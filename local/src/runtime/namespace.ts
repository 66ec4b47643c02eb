/**
 * The dispatch-namespace binding, locally. The dispatcher calls it exactly as in
 * production, `env.NS.get(name, { props }, { limits, outbound }).fetch(request)`
 * (dispatch-options.ts), through a service binding to this entrypoint; promise
 * pipelining makes the RpcTarget's `fetch` reachable in one expression. The tenant runs elsewhere: TENANT_RUNNER is
 * the dev runner's supervisor (local/dev/tenants), which runs it in a tenant
 * process, charges the CPU its thread used, and stops it past its limit.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import {
  CPU_FINAL_HEADER,
  CPU_HEADER,
  RUN_ERROR_HEADER,
  RUN_HEADER,
  MAX_RUN_DATA_BYTES,
  RUNTIME_RESPONSE_HEADERS,
  SUPERVISOR_PATHS,
  asciiJson,
  encodeRunHeader,
  isolateOf,
  rebuildException,
  type FinalCpu,
  type RunHeader,
  type TenantException,
} from "../../host/src/run-protocol.ts";
import { lookupScript } from "../store/client.ts";
import { parseDispatchCall, type DispatchCall } from "./dispatch-options.ts";
import type { ScriptRecord } from "../store/types.ts";
import { finishMeasurement, recordCpu, startMeasurement } from "./measurements.ts";
import { synthesizeTrace } from "./synthetic-trace.ts";

export const WORKER_NOT_FOUND = "Worker not found.";
export const CPU_EXCEEDED = "Worker exceeded CPU time limit.";

export type { Limits } from "./dispatch-options.ts";

/** The binding's Outbound Worker, as `dispatch_namespaces[].outbound` declares it. */
export interface OutboundWorker {
  service: string;
  parameters: string[];
}

export interface NamespaceProps {
  namespace?: string;
  outbound?: OutboundWorker;
}

/** What one `get()` runs with: the caller's arguments and the binding's Outbound Worker. */
export interface Dispatch {
  call: DispatchCall;
  outbound?: OutboundWorker;
}

/** Checks the caller's arguments once, at get() as production would, including the local size bound. */
export function dispatchOf(args: unknown, options: unknown, outbound: OutboundWorker | undefined): Dispatch {
  const call = parseDispatchCall(args, options, outbound?.parameters ?? []);
  const bytes = call.props === undefined ? 0 : asciiJson(call.props).length;
  if (bytes > MAX_RUN_DATA_BYTES) {
    throw new TypeError(`DispatchNamespace.get(): props are ${bytes} bytes of JSON (non-ASCII escaped); the local stand-in carries at most ${MAX_RUN_DATA_BYTES} (local/README.md)`);
  }
  return { call, ...(outbound === undefined ? {} : { outbound }) };
}

export class TenantWorker extends RpcTarget {
  private readonly env: Env;
  private readonly ctx: Pick<ExecutionContext, "waitUntil">;
  private readonly namespace: string;
  private readonly name: string;
  private readonly dispatch: Dispatch;

  constructor(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, namespace: string, name: string, dispatch: Dispatch) {
    super();
    this.env = env;
    this.ctx = ctx;
    this.namespace = namespace;
    this.name = name;
    this.dispatch = dispatch;
  }

  async fetch(request: Request): Promise<Response> {
    const script = await lookupScript(this.env, this.namespace, this.name);
    if (script === null) throw new Error(WORKER_NOT_FOUND);
    const { call, outbound } = this.dispatch;
    const run: RunHeader = {
      id: crypto.randomUUID(),
      isolate: isolateOf(script.namespace, script.name, script.etag),
      namespace: script.namespace,
      script: script.name,
      etag: script.etag,
      ...(call.limits.cpuMs === undefined ? {} : { cpuMs: call.limits.cpuMs }),
      ...(call.limits.subRequests === undefined ? {} : { subRequests: call.limits.subRequests }),
      ...(call.props === undefined ? {} : { props: call.props }),
      ...(outbound === undefined ? {} : { outbound: { service: outbound.service } }),
    };
    const startedAt = Date.now();
    startMeasurement(run.id, startedAt, script);
    const forwarded = new Request(request);
    forwarded.headers.set(RUN_HEADER, encodeRunHeader(run));
    let response: Response;
    try {
      response = await this.env.TENANT_RUNNER.fetch(forwarded);
    } catch (error) {
      finishMeasurement(run.id, Date.now());
      throw new Error(`Internal error: the local tenant runner cannot be reached (${String(error)}).`);
    }
    const cpuMs = Number(response.headers.get(CPU_HEADER) ?? "0") || 0;
    const failure = response.headers.get(RUN_ERROR_HEADER);
    if (failure !== null) return this.failed(failure, response, run, script, request, cpuMs);
    recordCpu(run.id, cpuMs, false);
    return this.trackBody(response, run.id, response.headers.get(CPU_FINAL_HEADER) === "0");
  }

  private async failed(failure: string, response: Response, run: RunHeader, script: ScriptRecord, request: Request, cpuMs: number): Promise<never> {
    if (failure === "exception") {
      recordCpu(run.id, cpuMs, false);
      finishMeasurement(run.id, Date.now());
      throw rebuildException(await response.json<TenantException>());
    }
    const body = await response.text();
    const cpu = failure === "cpu_killed" || failure === "cpu_exceeded";
    recordCpu(run.id, cpuMs, cpu);
    finishMeasurement(run.id, Date.now());
    // Killed (or died) with its isolate: no trace will come from it, so the stand-in writes one.
    if (failure !== "cpu_exceeded") {
      this.ctx.waitUntil(synthesizeTrace(this.env, { run, script, request, cpuMs, outcome: cpu ? "exceededCpu" : "internalError" }));
    }
    if (cpu) throw new Error(CPU_EXCEEDED);
    throw new Error(`Internal error: the tenant's process failed (${failure}): ${body.slice(0, 200)}`);
  }

  /**
   * Ends the measurement once the body has been read; a streamed body's final CPU comes
   * after. A body the supervisor buffered was complete before its headers left, so its
   * invocation is over now, and its body needs no watching (a stream transform per
   * response was a measurable share of this Worker's CPU).
   */
  private trackBody(response: Response, id: string, streamed: boolean): Response {
    const headers = new Headers(response.headers);
    for (const name of RUNTIME_RESPONSE_HEADERS) headers.delete(name);
    if (!streamed) {
      finishMeasurement(id, Date.now());
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers, webSocket: response.webSocket });
    }
    const finish = async (): Promise<void> => {
      if (streamed) {
        // The body already went out: a limit passed meanwhile shows in the trace only.
        const final = await this.env.TENANT_RUNNER.fetch(`http://supervisor${SUPERVISOR_PATHS.finalCpu(id)}`).then((r) => r.json<FinalCpu>()).catch(() => null);
        if (final !== null && final.cpuMs !== null) recordCpu(id, final.cpuMs, final.exceeded);
      }
      finishMeasurement(id, Date.now());
    };
    if (response.body === null || response.webSocket !== null) {
      this.ctx.waitUntil(finish());
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers, webSocket: response.webSocket });
    }
    const done = new TransformStream<Uint8Array, Uint8Array>({ flush: () => finish() });
    return new Response(response.body.pipeThrough(done), { status: response.status, statusText: response.statusText, headers });
  }
}

export class LocalDispatchNamespace extends WorkerEntrypoint<Env, NamespaceProps> {
  get(name: string, args?: unknown, options?: unknown): TenantWorker {
    const namespace = this.ctx.props?.namespace ?? this.env.DEFAULT_NAMESPACE;
    return new TenantWorker(this.env, this.ctx, namespace, name, dispatchOf(args, options, this.ctx.props?.outbound));
  }
}
