/** GET /tenants/:tenant and GET /api/tenants/:tenant: one tenant, for support. */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { defaultPlan } from "../config.ts";
import { listPlans, readAssignment, readPlan } from "../kv.ts";
import { parseTenant } from "../params.ts";
import { loadErrorGroups, newVersionsOf } from "../queries/errors.ts";
import { loadTenantUsage } from "../queries/tenant.ts";
import { telemetrySettings } from "../telemetry/client.ts";
import { tenantPage, type TenantPage } from "../views/tenant.ts";
import { sqlClient, tenantScope, windowOf } from "./shared.ts";

async function tenantData(c: Context<AppEnv>): Promise<TenantPage> {
  const tenant = parseTenant(c.req.param("tenant"));
  tenantScope(c.var.principal, tenant);
  const w = windowOf(c);
  const kv = c.env.PLANS;
  const sql = sqlClient(c);
  // Four round trips in all, concurrent: series and breakdown, then the error groups and
  // their trend, which take shares and version starts from the breakdown.
  const usageLoad = loadTenantUsage(sql, tenant, w);
  const totals = usageLoad.then((u) => ({
    requests: new Map([[tenant, u.breakdown.totals.requests]]),
    newVersions: newVersionsOf(u.versions.map((v) => ({ tenant, version: v.version, first: v.firstSeen }))),
  }));
  const [usage, errors, assignment] = await Promise.all([
    usageLoad,
    loadErrorGroups(sql, { from: w.from, to: w.to, tenant }, totals),
    readAssignment(kv, tenant, defaultPlan(c.env)),
  ]);
  const plan = await readPlan(kv, assignment.plan);
  return { tenant, assignment, plan, usage, errors, logs: telemetrySettings(c.env) !== null };
}

export const tenantRoutes = new Hono<AppEnv>()
  .use("/tenants/:tenant", requirePage("tenant"))
  .use("/api/tenants/:tenant", requirePage("tenant"))
  .get("/tenants/:tenant", async (c) => {
    const data = await tenantData(c);
    const plans = c.var.principal.role === "operator" ? await listPlans(c.env.PLANS) : [];
    return c.html(tenantPage(data, c.var.principal, plans));
  })
  .get("/api/tenants/:tenant", async (c) => c.json(await tenantData(c)));
