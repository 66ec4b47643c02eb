/** GET /billing, GET /api/billing (JSON) and GET /api/billing.csv (download). */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { allowQuery, parsePeriod } from "../params.ts";
import { billingCsv, loadBilling, type Billing } from "../queries/billing.ts";
import { billingPage } from "../views/billing.ts";
import { datasetEmpty, emptyState, nowMs, sqlClient, tenantScope } from "./shared.ts";

/** Billing reads calendar periods (whole UTC days), not the other pages' time window. */
const PERIOD_PARAMS = ["month", "from", "to"];

function query(c: Context<AppEnv>): Record<"month" | "from" | "to", string | undefined> {
  return { month: c.req.query("month"), from: c.req.query("from"), to: c.req.query("to") };
}

async function billing(c: Context<AppEnv>): Promise<Billing> {
  const period = parsePeriod(query(c), nowMs(c));
  return loadBilling(sqlClient(c), period, tenantScope(c.var.principal, null));
}

export const billingRoutes = new Hono<AppEnv>()
  .use("/billing", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .use("/api/billing", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .use("/api/billing.csv", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .get("/billing", async (c) => {
    const b = await billing(c);
    return c.html(billingPage(b, c.var.principal, query(c), { asOfMs: nowMs(c), empty: emptyState(c) }));
  })
  .get("/api/billing", async (c) => c.json({ ...(await billing(c)), ...datasetEmpty(c) }))
  .get("/api/billing.csv", async (c) => {
    const b = await billing(c);
    const scope = b.tenant === null ? "" : `-${b.tenant}`;
    return c.body(billingCsv(b), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="tenantscope-billing${scope}-${b.period.label}.csv"`,
    });
  });
