/** GET /billing, GET /api/billing (JSON download) and GET /api/billing.csv (CSV download). */
import { usageCsv, usageFileName } from "@tenantscope/core/usage";
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { allowQuery, checkPeriod, parseCustomer, parsePeriod } from "../params.ts";
import { platformPrices } from "../config.ts";
import { listPlans } from "../kv.ts";
import { loadBilling, type Billing } from "../queries/billing.ts";
import { billingPage } from "../views/billing.ts";
import { datasetEmpty, emptyState, nowMs, sqlClient, tenantScope } from "./shared.ts";

/** Billing reads calendar periods (whole UTC days), not the other pages' time window. */
const PERIOD_PARAMS = ["month", "from", "to", "customer"];

export type BillingQuery = Record<"month" | "from" | "to" | "customer", string | undefined>;

function query(c: Context<AppEnv>): BillingQuery {
  return { month: c.req.query("month"), from: c.req.query("from"), to: c.req.query("to"), customer: c.req.query("customer") };
}

/** `withMargin`: the page and the JSON; the CSV is usage rows only, so it reads no plan prices. */
async function billing(c: Context<AppEnv>, withMargin: boolean): Promise<Billing> {
  const now = nowMs(c);
  const q = query(c);
  const period = checkPeriod(parsePeriod(q, now), now);
  const filter = { tenant: tenantScope(c.var.principal, null), customer: parseCustomer(c.req.query("customer")) };
  const margin = withMargin && c.var.principal.tenant === null ? { plans: listPlans(c.env.PLANS), prices: platformPrices(c.env), monthly: q.from === undefined } : null;
  return loadBilling(sqlClient(c), period, filter, now, margin);
}

const attachment = (name: string): string => `attachment; filename="${name}"`;

export const billingRoutes = new Hono<AppEnv>()
  .use("/billing", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .use("/api/billing", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .use("/api/billing.csv", requirePage("billing"), allowQuery(...PERIOD_PARAMS))
  .get("/billing", async (c) => {
    const b = await billing(c, true);
    return c.html(billingPage(b, c.var.principal, query(c), { asOfMs: nowMs(c), empty: emptyState(c) }));
  })
  .get("/api/billing", async (c) => {
    const b = await billing(c, true);
    // A download with a name: a browser saves it rather than opening it in the tab.
    return c.json({ ...b, ...datasetEmpty(c) }, 200, { "content-disposition": attachment(usageFileName(b, "json")) });
  })
  .get("/api/billing.csv", async (c) => {
    const b = await billing(c, false);
    return c.body(usageCsv(b), 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": attachment(usageFileName(b, "csv")) });
  });
