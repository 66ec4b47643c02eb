/**
 * tenantscope-local-ae: the local Analytics Engine, one Worker on its own (as
 * miniflare keeps one worker per binding).
 * - default export: the SQL API and the local-only bulk import (http.ts), reached
 *   through the local API Worker's `AE` service binding
 * - LocalAnalyticsEngine: the `analytics_engine_datasets` binding, props `{ dataset }`
 * - AnalyticsStore: the SQLite Durable Object holding one dataset (plus a catalog)
 *
 * Keep this Worker out of every tail_consumers graph: its writes would be traced,
 * and the traces written, without end.
 */
import { app } from "./http.ts";

export { LocalAnalyticsEngine } from "./binding.ts";
export { AnalyticsStore } from "./store.ts";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
