/**
 * The tail of every tenant isolate in this process. Loaded Workers' traces do not
 * reach `tail_consumers` by themselves; the stand-in's relay completes them and
 * hands them on, so they go back to it, as plain JSON (TraceItems cannot be cloned).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { PLATFORM_PATHS } from "./run-protocol.ts";

export interface TailForwarderProps {
  namespace: string;
  script: string;
}

export class TailForwarder extends WorkerEntrypoint<Env, TailForwarderProps> {
  override async tail(events: TraceItem[]): Promise<void> {
    // An error thrown in a tail handler is silent in workerd: report it here.
    try {
      const res = await this.env.PLATFORM.fetch(`http://platform${PLATFORM_PATHS.traces}`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.env.API_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ...this.ctx.props, traces: events }),
      });
      if (!res.ok) console.error(`tenantscope-tenant-host: the relay refused ${events.length} trace(s) of ${this.ctx.props.script}: ${res.status} ${await res.text()}`);
      else await res.body?.cancel();
    } catch (error) {
      console.error(`tenantscope-tenant-host: ${events.length} trace(s) of ${this.ctx.props.script} were not delivered: ${String(error)}`);
    }
  }
}
