/**
 * tenantscope dispatcher: route a request to a tenant Worker in the dispatch
 * namespace, with the limits of the tenant's plan. The story in four steps:
 * config → route → plan → call; errors become JSON in one place.
 */
import { Hono } from "hono";
import { resolveTenant, type ResolverOptions, type TtlCache } from "@tenantscope/core/plan-resolver";
import { configFor } from "./config.ts";
import { callTenant, tenantRequest } from "./dispatch.ts";
import type { DispatcherEnv } from "./env.ts";
import { DispatchError, onDispatchError } from "./errors.ts";
import { routeRequest } from "./routing.ts";

/** Seams for tests; production uses the isolate cache, the clock and console.warn. */
export interface AppOptions {
  cache?: TtlCache;
  now?: () => number;
  log?: (message: string) => void;
}

export function createApp(options: AppOptions = {}): Hono<{ Bindings: DispatcherEnv }> {
  const app = new Hono<{ Bindings: DispatcherEnv }>();

  app.all("*", async function dispatchToTenant(c) {
    const config = configFor(c.env);
    const resolver: ResolverOptions = { ...options, ttlMs: config.ttlMs, defaultPlan: config.defaultPlan };
    const route = await routeRequest(c.req.raw, config, c.env.PLANS, resolver);
    const resolved = await resolveTenant(c.env.PLANS, route.tenant, resolver);
    if (resolved.suspended) {
      throw new DispatchError("tenant_suspended", `Tenant "${route.tenant}" is suspended.`);
    }
    return callTenant(c.env.DISPATCHER, resolved, tenantRequest(c.req.raw, route.url, resolved));
  });

  app.onError(onDispatchError);
  return app;
}

const app = createApp();

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
