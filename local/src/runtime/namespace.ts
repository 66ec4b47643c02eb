/**
 * The dispatch-namespace binding, locally. The dispatcher calls it exactly as in
 * production, `env.NS.get(name, args, { limits }).fetch(request)`, through a
 * service binding to this entrypoint; promise pipelining makes the RpcTarget's
 * `fetch` reachable in one expression. The tenant runs elsewhere: TENANT_RUNNER is
 * the dev runner's supervisor (local/dev/tenants), which runs it in a tenant
 * process, charges the CPU its thread used, and stops it past its limit.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import {
  CPU_FINAL_HEADER,
  CPU_HEADER,
  RUN_ERROR_HEADER,
  RUN_HEADER,
  RUNTIME_RESPONSE_HEADERS,
  SUPERVISOR_PATHS,
  isolateOf,
  rebuildException,
  type FinalCpu,
  type RunHeader,
  type TenantException,
} from "../../host/src/run-protocol.ts";
import { lookupScript } from "../store/client.ts";
import type { ScriptRecord } from "../store/types.ts";
import { finishMeasurement, recordCpu, startMeasurement } from "./measurements.ts";
import { synthesizeTrace } from "./synthetic-trace.ts";

export const WORKER_NOT_FOUND = "Worker not found.";
export const CPU_EXCEEDED = "Worker exceeded CPU time limit.";

export interface Limits {
  cpuMs?: number;
  subRequests?: number;
}

export interface NamespaceProps {
  namespace?: string;
}

export class TenantWorker extends RpcTarget {
  private readonly env: Env;
  private readonly ctx: Pick<ExecutionContext, "waitUntil">;
  private readonly namespace: string;
  private readonly name: string;
  private readonly limits: Limits;

  constructor(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, namespace: string, name: string, limits: Limits) {
    super();
    this.env = env;
    this.ctx = ctx;
    this.namespace = namespace;
    this.name = name;
    this.limits = limits;
  }

  async fetch(request: Request): Promise<Response> {
    const script = await lookupScript(this.env, this.namespace, this.name);
    if (script === null) throw new Error(WORKER_NOT_FOUND);
    const run: RunHeader = {
      id: crypto.randomUUID(),
      isolate: isolateOf(script.namespace, script.name, script.etag),
      namespace: script.namespace,
      script: script.name,
      etag: script.etag,
      ...(this.limits.cpuMs === undefined ? {} : { cpuMs: this.limits.cpuMs }),
      ...(this.limits.subRequests === undefined ? {} : { subRequests: this.limits.subRequests }),
    };
    const startedAt = Date.now();
    startMeasurement(run.id, startedAt, script);
    const forwarded = new Request(request);
    forwarded.headers.set(RUN_HEADER, JSON.stringify(run));
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
  get(name: string, _args?: Record<string, unknown>, options?: { limits?: Limits }): TenantWorker {
    const namespace = this.ctx.props?.namespace ?? this.env.DEFAULT_NAMESPACE;
    return new TenantWorker(this.env, this.ctx, namespace, name, options?.limits ?? {});
  }
}
