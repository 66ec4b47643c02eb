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
import { dropMeasurement, takeMeasurement } from "./measurements.ts";
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
    const { namespace, script: name } = this.ctx.props;
    const script = await lookupScript(this.env, namespace, name);
    if (script === null || script.tailConsumers.length === 0) {
      // Nothing to deliver to; release the measurements these traces hold.
      for (const trace of plainTraces(events)) {
        const id = takeInvocationId(trace);
        if (id !== null) dropMeasurement(id);
      }
      return;
    }
    const traces = await this.complete(events, script);
    if (traces.length === 0) return;
    await Promise.all(script.tailConsumers.map(async ({ service }) => {
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
    }));
  }

  private async complete(events: TraceItem[], script: ScriptRecord): Promise<Record<string, unknown>[]> {
    return Promise.all(plainTraces(events).map(async (trace) => {
      const id = takeInvocationId(trace);
      const measured = id === null ? undefined : await takeMeasurement(id, MEASUREMENT_WAIT_MS);
      return enrichTrace(trace, {
        namespace: script.namespace,
        script: script.name,
        tags: script.tags,
        versionId: script.etag,
      }, measured);
    }));
  }
}
