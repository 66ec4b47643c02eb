/**
 * The tail relay: tenant isolates' traces arrive here from the tenant host (its
 * TailForwarder posts them to the internal route, api/runtime.ts), or are made here
 * for an invocation whose process was killed. Loaded Workers' traces do not reach
 * `tail_consumers` by themselves, so the relay completes them (enrich.ts) and hands
 * them to the consumers the script was uploaded with, over RPC, as plain JSON.
 *
 * Nothing the relay delivers to may be a tail consumer of anything that writes
 * Analytics Engine points itself, or writes would trace themselves without end.
 */
import { ExpiringMap } from "@tenantscope/core/expiring";
import { isRecord } from "@tenantscope/core/result";
import { lookupScript } from "../store/client.ts";
import { versionIdOf } from "../store/version.ts";
import type { ScriptRecord } from "../store/types.ts";
import { dropMeasurement, ownerOf, takeMeasurement } from "../runtime/measurements.ts";
import { enrichTrace, isProbe, takeInvocationId } from "./enrich.ts";
import { tailBindingName } from "./names.ts";
import { recordTraceLogs } from "../telemetry/store.ts";

export interface TraceSource {
  namespace: string;
  script: string;
}

/** How long a trace waits for its invocation's body to finish streaming. */
const MEASUREMENT_WAIT_MS = 5_000;

interface TailTarget {
  tail(events: unknown[]): Promise<void>;
}

const warnedMissing = new Set<string>();

function targetOf(env: Env, service: string): TailTarget | null {
  const binding: unknown = (env as unknown as Record<string, unknown>)[tailBindingName(service)];
  if ((typeof binding === "object" || typeof binding === "function") && binding !== null && "tail" in binding) {
    return binding as TailTarget;
  }
  return null;
}

async function deliver(env: Env, service: string, traces: Record<string, unknown>[]): Promise<void> {
  const target = targetOf(env, service);
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

/**
 * The script as it was when the invocation started (recorded by the namespace
 * entrypoint), so a trace still reaches its consumers after the script or its
 * namespace is deleted; else the current record.
 */
async function scriptOf(env: Env, source: TraceSource, id: string | null): Promise<ScriptRecord | null> {
  const recorded = id === null ? undefined : ownerOf(id);
  return recorded ?? lookupScript(env, source.namespace, source.script);
}

/**
 * Traces going to the same consumer within this window share one tail call, as the
 * runtime batches them: one RPC and one tail invocation for several traces cut the
 * platform thread's CPU per traced request by about 9 %. The buffer is this platform isolate's
 * (a tenant's failure cannot lose it); the tail writes at least one point per trace,
 * so a batch stays well under the 250 points of one invocation.
 */
const BATCH_MS = 25;
const MAX_BATCH = 32;
const outbox = new Map<string, Record<string, unknown>[]>();

/**
 * Queues the traces; the call that finds the consumer's queue empty delivers it after
 * the window, from its own request (no request ever waits on another one's promise).
 */
async function enqueue(env: Env, service: string, traces: Record<string, unknown>[]): Promise<void> {
  const queued = outbox.get(service);
  if (queued !== undefined) {
    queued.push(...traces);
    if (queued.length < MAX_BATCH) return;
    outbox.delete(service);
    return deliverAll(env, service, queued);
  }
  const mine = [...traces];
  outbox.set(service, mine);
  await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
  // A full queue was taken by whoever filled it; what is left (or newer) is this call's.
  if (outbox.get(service) !== mine) return;
  outbox.delete(service);
  return deliverAll(env, service, mine);
}

async function deliverAll(env: Env, service: string, traces: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < traces.length; i += MAX_BATCH) await deliver(env, service, traces.slice(i, i + MAX_BATCH));
}

/**
 * Invocations whose trace has been relayed. An invocation has one trace in production,
 * but here two can come: the watchdog may kill a process just after the invocation
 * ended and its host posted the trace, and the stand-in then writes the lost
 * invocation's trace too (measured: 1-3 extra exceededCpu points per 15-minute soak).
 * The second is dropped, whichever comes first. Both leave within seconds of each
 * other; a minute of ids is a few hundred KB at 100 req/s.
 */
const relayed = new ExpiringMap<true>(60_000);

/** Whether this is the invocation's first trace (and, from now on, the others are not). */
function firstTrace(id: string | null): boolean {
  if (id === null) return true;
  if (relayed.get(id) === true) return false;
  relayed.set(id, true, Date.now());
  return true;
}

/** Completes and delivers plain-JSON traces of one script; never throws. */
export async function relayTraces(env: Env, source: TraceSource, events: readonly unknown[]): Promise<void> {
  const byService = new Map<string, Record<string, unknown>[]>();
  const traces = events.filter(isRecord).filter((trace) => !isProbe(trace));
  // One trace that fails to complete must not take the rest of the batch with it.
  const settled = await Promise.allSettled(traces.map(async (trace) => {
    const id = takeInvocationId(trace);
    // Checked and marked before any await: the two traces of one invocation may overlap.
    if (!firstTrace(id)) return;
    const script = await scriptOf(env, source, id);
    if (script === null || script.tailConsumers.length === 0) {
      if (id !== null) dropMeasurement(id);
      return;
    }
    const measured = id === null ? undefined : await takeMeasurement(id, MEASUREMENT_WAIT_MS);
    const done = enrichTrace(trace, { namespace: script.namespace, script: script.name, tags: script.tags, versionId: versionIdOf(script.etag) }, measured);
    // The stand-in's Workers Logs (api/telemetry.ts) keep what the trace printed.
    recordTraceLogs([done]);
    for (const { service } of script.tailConsumers) {
      const list = byService.get(service);
      if (list === undefined) byService.set(service, [done]);
      else list.push(done);
    }
  }));
  for (const r of settled) if (r.status === "rejected") console.error(`tenantscope-local: a trace of ${source.script} was not delivered: ${String(r.reason)}`);
  await Promise.all([...byService].map(([service, list]) => enqueue(env, service, list)));
}
