/**
 * The bindings the dispatcher uses, written as the narrow shapes it calls.
 * The generated `Env` (worker-configuration.d.ts) must satisfy this, which
 * index.ts checks; tests satisfy it with fakes instead of a real namespace.
 */
import type { KVReader } from "@tenantscope/core/plan-resolver";
import type { PlanLimits } from "@tenantscope/core/plans";

/** What a dispatch-namespace `get()` returns, as far as the dispatcher uses it. */
export interface TenantWorker {
  fetch(request: Request): Promise<Response>;
}

/** `DispatchNamespace` (production) and the local stand-in both fit this. */
export interface TenantNamespace {
  get(name: string, args: Record<string, unknown>, options: { limits: PlanLimits }): TenantWorker;
}

/**
 * The vars from wrangler.jsonc, as strings; config.ts validates them. Optional
 * because a deploy can drop one, and that must be reported, not crash.
 */
export interface DispatcherVars {
  ROUTING?: string;
  PLATFORM_DOMAIN?: string;
  TENANT_HEADER?: string;
  DEFAULT_PLAN?: string;
  PLAN_CACHE_TTL_SECONDS?: string;
}

export interface DispatcherEnv extends DispatcherVars {
  DISPATCHER: TenantNamespace;
  PLANS: KVReader;
}
