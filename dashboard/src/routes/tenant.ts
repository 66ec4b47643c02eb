/** GET /tenants/:tenant and GET /api/tenants/:tenant: one tenant, for support. */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { defaultPlan } from "../config.ts";
import { listPlans, readAssignment, readPlan } from "../kv.ts";
import { parseTenant } from "../params.ts";
import { loadTenantUsage } from "../queries/tenant.ts";
import { tenantPage, type TenantPage } from "../views/tenant.ts";
import { sqlClient, tenantScope, windowOf } from "./shared.ts";

async function tenantData(c: Context<AppEnv>): Promise<TenantPage> {
  const tenant = parseTenant(c.req.param("tenant"));
  tenantScope(c.var.principal, tenant);
  const w = windowOf(c);
  const kv = c.env.PLANS;
  const [usage, assignment] = await Promise.all([loadTenantUsage(sqlClient(c), tenant, w), readAssignment(kv, tenant, defaultPlan(c.env))]);
  const plan = await readPlan(kv, assignment.plan);
  return { tenant, assignment, plan, usage };
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
