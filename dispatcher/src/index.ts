/**
 * tenantscope dispatcher: route a request to a tenant Worker in the dispatch
 * namespace, with the limits of the tenant's plan. The story in four steps:
 * config → route → plan (suspension, quota stop) → call; errors become JSON in one place.
 */
import { Hono } from "hono";
import { resolveTenant, type ResolverOptions, type TtlCache } from "@tenantscope/core/plan-resolver";
import { configFor } from "./config.ts";
import { callTenant, tenantRequest } from "./dispatch.ts";
import type { DispatcherEnv } from "./env.ts";
import { DispatchError, onDispatchError } from "./errors.ts";
import { quotaStopError } from "./quota.ts";
import { routeRequest } from "./routing.ts";

/** Seams for tests; production uses the isolate cache, the clock, console.warn and console.log. */
export interface AppOptions {
  cache?: TtlCache;
  now?: () => number;
  log?: (message: string) => void;
  /** Where answer lines go (core/answer-log); the Tail Worker reads them from console.log. */
  answerLog?: (line: string) => void;
}

type DispatcherApp = { Bindings: DispatcherEnv; Variables: { tenant: string } };

export function createApp(options: AppOptions = {}): Hono<DispatcherApp> {
  const app = new Hono<DispatcherApp>();
  const { answerLog, ...resolverOptions } = options;

  app.all("*", async function dispatchToTenant(c) {
    const config = configFor(c.env);
    const resolver: ResolverOptions = { ...resolverOptions, ttlMs: config.ttlMs, defaultPlan: config.defaultPlan };
    const route = await routeRequest(c.req.raw, config, c.env.PLANS, resolver);
    c.set("tenant", route.tenant);
    const resolved = await resolveTenant(c.env.PLANS, route.tenant, resolver);
    // A suspension is the operator's and open-ended, so it wins over a quota stop.
    if (resolved.suspended) {
      throw new DispatchError("tenant_suspended", `Tenant "${route.tenant}" is suspended.`);
    }
    const stopped = quotaStopError(route.tenant, resolved.stop, (options.now ?? Date.now)());
    if (stopped !== null) throw stopped;
    return callTenant(c.env.DISPATCHER, resolved, tenantRequest(c.req.raw, route.url, resolved));
  });

  app.onError(onDispatchError((c) => {
    const tenant: unknown = c.get("tenant");
    return typeof tenant === "string" ? tenant : undefined;
  }, answerLog ?? ((line) => console.log(line))));
  return app;
}

const app = createApp();

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
