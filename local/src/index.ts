/**
 * tenantscope-local: the local stand-in for what Cloudflare does not emulate.
 * - default export: the Cloudflare REST API subset (dispatch namespaces, KV values;
 *   the Analytics Engine paths are forwarded to tenantscope-local-ae, ../ae)
 * - LocalDispatchNamespace: the dispatch-namespace binding (get → fetch)
 * - SubrequestGate: tenants' outbound, enforcing subRequests per invocation
 * - Registry: the Durable Object holding namespaces and scripts
 * - TailRelay: the tail of loaded tenants, completing traces for their tail_consumers
 */
import { app } from "./api/app.ts";

export { LocalDispatchNamespace } from "./runtime/namespace.ts";
export { SubrequestGate } from "./runtime/gate.ts";
export { Registry } from "./store/registry.ts";
export { TailRelay } from "./tail/relay.ts";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
