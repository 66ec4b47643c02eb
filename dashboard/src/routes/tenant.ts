/**
 * GET /tenants/:tenant and GET /api/tenants/:tenant: one tenant, for support. A name
 * with no invocations in AE's three months and no KV assignment is no tenant: a 404
 * that says so (a typo must not look like a quiet, healthy tenant).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { tenantAlerts } from "../alerts/data.ts";
import { requirePage } from "../auth/middleware.ts";
import { defaultPlan } from "../config.ts";
import { DashboardError, jsonError } from "../errors.ts";
import { listPlans, readAssignment, readPlan } from "../kv.ts";
import { allowQuery, parseTenant } from "../params.ts";
import { loadErrorGroups, newVersionsOf, type ErrorGroups } from "../queries/errors.ts";
import { seenRecently } from "../queries/known.ts";
import { loadTenantUsage } from "../queries/tenant.ts";
import { telemetrySettings } from "../telemetry/client.ts";
import { tenantPage, unknownTenantPage, type TenantPage } from "../views/tenant.ts";
import { datasetEmpty, emptyState, nowMs, sqlClient, tenantScope, TIME_PARAMS, windowOf, type Window } from "./shared.ts";

export const UNKNOWN_TENANT = "no invocations in the last three months and no assignment";

async function tenantData(c: Context<AppEnv>, w: Window): Promise<TenantPage | null> {
  const tenant = parseTenant(c.req.param("tenant"));
  tenantScope(c.var.principal, tenant);
  const kv = c.env.PLANS;
  const sql = sqlClient(c);
  // At most four round trips: series and breakdown (concurrent), then either the error
  // groups and their trend (concurrent), or, for a window without a single request (so
  // without errors either) and no assignment, the one check over AE's retention.
  // The evaluator is asked alongside (RPC, no SQL round trip).
  const [usage, assignment, alerts] = await Promise.all([loadTenantUsage(sql, tenant, w), readAssignment(kv, tenant, defaultPlan(c.env)), tenantAlerts(c.env, tenant)]);
  const quiet = usage.breakdown.totals.requests === 0;
  // An empty dataset knows no tenant yet: that is the empty state, not a 404.
  if (quiet && assignment.source === "default" && !c.var.sqlStats.datasetMissing && !(await seenRecently(sql, tenant, nowMs(c)))) return null;
  const totals = {
    requests: new Map([[tenant, usage.breakdown.totals.requests]]),
    newVersions: newVersionsOf(usage.versions.map((v) => ({ tenant, version: v.version, first: v.firstSeen }))),
  };
  const errors: ErrorGroups = quiet
    ? { trendBuckets: [], trendBucketMs: 0, groups: [], partial: false }
    : await loadErrorGroups(sql, { from: w.from, to: w.to, tenant }, Promise.resolve(totals));
  const plan = await readPlan(kv, assignment.plan);
  return { tenant, assignment, plan, usage, errors, logs: telemetrySettings(c.env) !== null, alerts };
}

export const tenantRoutes = new Hono<AppEnv>()
  .use("/tenants/:tenant", requirePage("tenant"), allowQuery(...TIME_PARAMS))
  .use("/api/tenants/:tenant", requirePage("tenant"), allowQuery(...TIME_PARAMS))
  .get("/tenants/:tenant", async (c) => {
    const w = windowOf(c);
    const data = await tenantData(c, w);
    if (data === null) return c.html(unknownTenantPage(c.req.param("tenant"), c.var.principal, UNKNOWN_TENANT), 404);
    const plans = c.var.principal.role === "operator" ? await listPlans(c.env.PLANS) : [];
    return c.html(tenantPage(data, c.var.principal, plans, { window: w, asOfMs: nowMs(c), empty: emptyState(c) }));
  })
  .get("/api/tenants/:tenant", async (c) => {
    const data = await tenantData(c, windowOf(c));
    if (data === null) return jsonError(c, new DashboardError("not_found", `No tenant "${c.req.param("tenant")}": ${UNKNOWN_TENANT}.`));
    return c.json({ ...data, ...datasetEmpty(c) });
  });
