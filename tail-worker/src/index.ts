/**
 * tenantscope tail: every tenant invocation's trace becomes one point in
 * Analytics Engine (dataset `tenant_invocations`, layout in
 * @tenantscope/core/schema and SCHEMA.md). A class entrypoint, so the runtime
 * delivers traces to `tail()` and the local namespace can call it over RPC
 * with plain JSON traces.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { handleTail } from "./tail.ts";

export default class TailWorker extends WorkerEntrypoint<Env> {
  // `unknown`, not TraceItem[]: over RPC the events are plain JSON, possibly
  // malformed, and handleTail reads them field by field.
  override async tail(events: unknown): Promise<void> {
    await handleTail(events, this.env);
  }
}
