/**
 * tenantscope-local: the local stand-in for what Cloudflare does not emulate.
 * - default export: the Cloudflare REST API subset (dispatch namespaces, KV values;
 *   the Analytics Engine paths are forwarded to tenantscope-local-ae, ../ae)
 * - LocalDispatchNamespace: the dispatch-namespace binding (get → fetch), which
 *   runs tenants through TENANT_RUNNER (the tenant host in its own process, ../host)
 * - Registry: the Durable Object holding namespaces and scripts
 * - WebhookInbox: the Durable Object behind the local webhook inbox (api/inbox.ts)
 * The tenant host sends traces back through the internal /_local/runtime routes.
 */
import { app } from "./api/app.ts";

export { LocalDispatchNamespace } from "./runtime/namespace.ts";
export { Registry } from "./store/registry.ts";
export { WebhookInbox } from "./inbox/store.ts";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
