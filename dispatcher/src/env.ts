/**
 * The dispatcher's env, picked from the generated `Env` (worker-configuration.d.ts,
 * from `wrangler types`) rather than written by hand: a hand-written shape can
 * accept what the runtime does not (a `limits.memory`, say) and still pass a
 * `satisfies` check, while the generated binding types reject it at the call.
 */

/** The vars config.ts validates. Partial: a deploy can drop one, and that must be reported, not crash. */
export type DispatcherVars = Partial<Pick<Env, "ROUTING" | "PLATFORM_DOMAIN" | "TENANT_HEADER" | "DEFAULT_PLAN" | "PLAN_CACHE_TTL_SECONDS">>;

export type DispatcherEnv = Pick<Env, "DISPATCHER" | "PLANS"> & DispatcherVars;
