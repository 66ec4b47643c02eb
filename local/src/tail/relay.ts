/**
 * The tail of every loaded tenant isolate (`tails` in the Worker Loader code).
 * Loaded Workers' traces do not reach `tail_consumers` by themselves, so this
 * entrypoint receives them, completes them (enrich.ts) and hands them to the
 * consumers the script was uploaded with, over RPC, as plain JSON (TraceItems
 * cannot be cloned across RPC).
 *
 * It must never be a tail consumer of anything that writes Analytics Engine
 * points itself, or writes would trace themselves without end: it only sees
 * tenant isolates.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { isRecord } from "@tenantscope/core/result";
import { lookupScript } from "../store/client.ts";
import type { ScriptRecord } from "../store/types.ts";
import { enrichTrace, isProbe, takeInvocationId } from "./enrich.ts";
import { dropMeasurement, ownerOf, takeMeasurement } from "../runtime/measurements.ts";
import { tailBindingName } from "./names.ts";

export interface TailRelayProps {
  namespace: string;
  script: string;
}

/** How long a trace waits for its invocation's body to finish streaming. */
const MEASUREMENT_WAIT_MS = 5_000;

interface TailTarget {
  tail(events: unknown[]): Promise<void>;
}

/** TraceItems as plain objects, without the stand-in's warm-up calls. */
function plainTraces(events: TraceItem[]): Record<string, unknown>[] {
  const plain: unknown = JSON.parse(JSON.stringify(events));
  return Array.isArray(plain) ? plain.filter(isRecord).filter((trace) => !isProbe(trace)) : [];
}

const warnedMissing = new Set<string>();

function targetOf(env: Env, service: string): TailTarget | null {
  const binding: unknown = (env as unknown as Record<string, unknown>)[tailBindingName(service)];
  if ((typeof binding === "object" || typeof binding === "function") && binding !== null && "tail" in binding) {
    return binding as TailTarget;
  }
  return null;
}

export class TailRelay extends WorkerEntrypoint<Env, TailRelayProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    // An error thrown in a tail handler is silent in workerd: report it here.
    try {
      await this.relay(events);
    } catch (error) {
      console.error(`tenantscope-local: tail relay for ${this.ctx.props.script} failed: ${String(error)}`);
    }
  }

  private async relay(events: TraceItem[]): Promise<void> {
    const byService = new Map<string, Record<string, unknown>[]>();
    // One trace that fails to complete must not take the rest of the batch with it.
    const settled = await Promise.allSettled(plainTraces(events).map(async (trace) => {
      const id = takeInvocationId(trace);
      const script = await this.ownerOf(id);
      if (script === null || script.tailConsumers.length === 0) {
        if (id !== null) dropMeasurement(id);
        return;
      }
      const measured = id === null ? undefined : await takeMeasurement(id, MEASUREMENT_WAIT_MS);
      const done = enrichTrace(trace, { namespace: script.namespace, script: script.name, tags: script.tags, versionId: script.etag }, measured);
      for (const { service } of script.tailConsumers) {
        const traces = byService.get(service);
        if (traces === undefined) byService.set(service, [done]);
        else traces.push(done);
      }
    }));
    for (const r of settled) if (r.status === "rejected") console.error(`tenantscope-local: a trace of ${this.ctx.props.script} was not delivered: ${String(r.reason)}`);
    await Promise.all([...byService].map(([service, traces]) => this.deliver(service, traces)));
  }

  /**
   * The script as it was when the invocation started (recorded by the namespace
   * entrypoint), so a trace still reaches its consumers after the script or its
   * namespace is deleted; else the current record.
   */
  private async ownerOf(id: string | null): Promise<ScriptRecord | null> {
    const recorded = id === null ? undefined : ownerOf(id);
    return recorded ?? lookupScript(this.env, this.ctx.props.namespace, this.ctx.props.script);
  }

  private async deliver(service: string, traces: Record<string, unknown>[]): Promise<void> {
    const target = targetOf(this.env, service);
    if (target === null) {
      if (!warnedMissing.has(service)) {
        warnedMissing.add(service);
        console.warn(`tenantscope-local: tail consumer "${service}" is not running locally (no ${tailBindingName(service)} binding); its traces are dropped`);
      }
      return;
    }
    try {
      await target.tail(traces);
    } catch (error) {
      console.error(`tenantscope-local: tail consumer "${service}" failed: ${String(error)}`);
    }
  }
}
