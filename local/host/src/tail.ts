/**
 * The tail of every tenant isolate in this process. Loaded Workers' traces do not
 * reach `tail_consumers` by themselves; the stand-in's relay completes them and
 * hands them on, so they go back to it, as plain JSON (TraceItems cannot be cloned),
 * through the supervisor: it answers at once, so the post's completion does not land
 * on this thread in the middle of a later invocation (at saturation the stand-in
 * answered late, and up to 11 posts were pending at once), and it knows when the
 * trace of the invocation that just ran has left.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { CALIBRATION_NAMESPACE, SUPERVISOR_PATHS, TRACE_IDS_HEADER } from "./run-protocol.ts";
import { INVOCATION_HEADER, PROBE_ENTRYPOINT } from "./wrapper/protocol.ts";

export interface TailForwarderProps {
  namespace: string;
  script: string;
}

/** The invocation id the host gave the trace's request (none for RPC calls). */
function invocationOf(trace: TraceItem): string | null {
  const event = trace.event;
  if (event === null || !("request" in event)) return null;
  const headers: Record<string, string> = event.request.headers;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === INVOCATION_HEADER) return value;
  return null;
}

export class TailForwarder extends WorkerEntrypoint<Env, TailForwarderProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    // The stand-in's own calls (loading an isolate, a collection) are no tenant's invocations.
    const traces = events.filter((trace) => trace.entrypoint !== PROBE_ENTRYPOINT);
    if (traces.length === 0) return;
    const ids = traces.map(invocationOf).filter((id) => id !== null);
    const calibration = this.ctx.props.namespace === CALIBRATION_NAMESPACE;
    // An error thrown in a tail handler is silent in workerd: report it here.
    try {
      const res = await this.env.SUPERVISOR.fetch(`http://supervisor${SUPERVISOR_PATHS.traces}`, {
        method: "POST",
        // The supervisor relays them to the local API with this token, so it asks for it too.
        headers: { authorization: `Bearer ${this.env.API_TOKEN}`, [TRACE_IDS_HEADER]: ids.join(","), "content-type": "application/json" },
        body: calibration ? null : JSON.stringify({ ...this.ctx.props, traces }),
      });
      if (!res.ok) console.error(`tenantscope-tenant-host: the supervisor refused ${traces.length} trace(s) of ${this.ctx.props.script}: ${res.status} ${await res.text()}`);
      else await res.body?.cancel();
    } catch (error) {
      console.error(`tenantscope-tenant-host: ${traces.length} trace(s) of ${this.ctx.props.script} were not delivered: ${String(error)}`);
    }
  }
}
