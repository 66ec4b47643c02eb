/**
 * Plans (operators): GET /plans and /api/plans; the edits, as forms (POST, then a
 * redirect back) and as JSON (PUT); GET /api/audit. Every edit passes requireWrite
 * (operator + CSRF) before its body is used.
 */
import { Hono, type Context } from "hono";
import { MAX_CPU_MS, MAX_SUBREQUESTS, kvKeys, validatePlanLimits } from "@tenantscope/core/plans";
import type { AppEnv } from "../app-env.ts";
import { requirePage, requireWrite } from "../auth/middleware.ts";
import { defaultPlan } from "../config.ts";
import { assertCanEditPlans, assignmentInput, auditEntries, auditView, planInput, priceInput, saveAssignment, savePlan } from "../edits.ts";
import { DashboardError, badRequest } from "../errors.ts";
import { listPlans, type PlanEntry } from "../kv.ts";
import { loadBilling } from "../queries/billing.ts";
import { platformPrices } from "../config.ts";
import type { MarginReport } from "@tenantscope/core/margin";
import { monthOf, monthPeriod } from "@tenantscope/core/usage";
import { allowQuery, parseIntParam, parsePlanName, parseTenant } from "../params.ts";
import { loadPlanStats, type WhatIfQuery } from "../queries/plans.ts";
import { confirmLimitsPage, confirmPage } from "../views/confirm.ts";
import { plansPage, type PlansData } from "../views/plans.ts";
import { isForced, tenantGuard } from "./guard.ts";
import { datasetEmpty, emptyState, nowMs, qs, sqlClient, tenantScope, TIME_PARAMS, windowOf } from "./shared.ts";

const AUDIT_ON_PAGE = 50;
/** The plans page has no time chart, so no bucket. */
const PLANS_PARAMS: string[] = [...TIME_PARAMS.filter((p) => p !== "bucket"), "whatif", "cpuMs", "subRequests"];

function whatIfQuery(c: Context<AppEnv>): WhatIfQuery | null {
  const plan = c.req.query("whatif");
  const cpu = c.req.query("cpuMs");
  const sub = c.req.query("subRequests");
  if (plan === undefined || plan === "") {
    if ((cpu ?? "") !== "" || (sub ?? "") !== "") throw badRequest("whatif (a plan name) is required with cpuMs or subRequests.");
    return null;
  }
  const q: WhatIfQuery = {
    plan: parsePlanName(plan),
    cpuMs: cpu === undefined || cpu === "" ? null : parseIntParam("cpuMs", cpu, 1, MAX_CPU_MS),
    subRequests: sub === undefined || sub === "" ? null : parseIntParam("subRequests", sub, 1, MAX_SUBREQUESTS),
  };
  if (q.cpuMs === null && q.subRequests === null) throw badRequest("Give cpuMs or subRequests (or both) for the what-if.");
  return q;
}

/** This month's margin per plan (one more round trip), for operators of the whole platform only. */
async function monthMargin(c: Context<AppEnv>, plans: Promise<PlanEntry[]>): Promise<MarginReport | null> {
  if (c.var.principal.tenant !== null) return null;
  const now = nowMs(c);
  const period = monthPeriod(monthOf(now));
  if (period === null) return null;
  const b = await loadBilling(sqlClient(c), period, { tenant: null, customer: null }, now, { plans, prices: platformPrices(c.env), monthly: true });
  return b.margin;
}

async function plansData(c: Context<AppEnv>): Promise<PlansData> {
  const w = windowOf(c, "7d");
  const whatIf = whatIfQuery(c);
  const scope = { from: w.from, to: w.to, tenant: tenantScope(c.var.principal, null) };
  const plans = listPlans(c.env.PLANS);
  const [entries, data, { entries: audit, deleted }, margin] = await Promise.all([
    plans,
    loadPlanStats(sqlClient(c), scope, whatIf),
    auditView(c.env, c.var.principal, AUDIT_ON_PAGE),
    monthMargin(c, plans),
  ]);
  const byPlan = new Map(data.stats.map((s) => [s.plan, s]));
  const known = new Set(entries.map((e) => e.plan));
  return {
    window: w,
    defaultPlan: defaultPlan(c.env),
    plans: entries.map((e) => ({ ...e, stats: byPlan.get(e.plan) ?? null })),
    otherPlans: data.stats.filter((s) => !known.has(s.plan)),
    activeTenants: data.activeTenants,
    whatIf: data.whatIf,
    audit,
    deleted,
    margin,
  };
}

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest("The request body must be JSON.");
  }
}

async function formBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  return (await c.req.parseBody()) as Record<string, unknown>;
}

/**
 * A form's assignment change; an unknown tenant answers with the confirmation page
 * (409), which posts the same values again with `force`.
 */
async function assignFromForm(c: Context<AppEnv>, tenant: string, form: Record<string, unknown>, action: string, back: string): Promise<Response | null> {
  try {
    await saveAssignment(c.env, c.var.principal, tenant, assignmentInput(form), tenantGuard(c, isForced(form.force)));
    return null;
  } catch (error) {
    if (!(error instanceof DashboardError) || error.code !== "unknown_tenant") throw error;
    const fields: Record<string, string> = {};
    for (const name of ["tenant", "plan", "suspended"]) {
      const value = form[name];
      if (typeof value === "string") fields[name] = value;
    }
    return c.html(confirmPage(error.message, c.var.principal, { action, fields, back }), 409);
  }
}

export const plansRoutes = new Hono<AppEnv>()
  .use("/plans", requirePage("plans"))
  .use("/api/plans", requirePage("plans"))
  .use("/api/audit", requirePage("plans"), allowQuery("limit"))
  .get("/plans", allowQuery(...PLANS_PARAMS, "saved"), async (c) => {
    // Only a key shape is echoed back, never arbitrary text from the URL.
    const saved = c.req.query("saved");
    const notice = saved !== undefined && /^(plan|tenant):[a-z0-9-]{1,63}$/.test(saved) ? `Saved ${saved}. The dispatcher applies it within its plan cache TTL.` : null;
    const data = await plansData(c);
    return c.html(plansPage(data, c.var.principal, notice, { asOfMs: nowMs(c), empty: emptyState(c) }));
  })
  .get("/api/plans", allowQuery(...PLANS_PARAMS), async (c) => c.json({ ...(await plansData(c)), ...datasetEmpty(c) }))
  .get("/api/audit", async (c) => c.json({ entries: await auditEntries(c.env, c.var.principal, parseIntParam("limit", c.req.query("limit"), 1, 500, 100)) }))
  // The form: a refused value comes back in the form with its reason (400); a valid one
  // first shows its impact over the last 7 days, and saves only once confirmed.
  .post("/plans/:plan", requireWrite(), async (c) => {
    const plan = parsePlanName(c.req.param("plan"));
    assertCanEditPlans(c.var.principal);
    const form = await formBody(c);
    const limits = validatePlanLimits(planInput(form));
    if (!limits.ok) {
      const raw = (name: string): string => (typeof form[name] === "string" ? form[name] : "");
      const rejected = { plan, cpuMs: raw("cpuMs"), subRequests: raw("subRequests"), message: `Not saved: ${limits.message}.` };
      return c.html(plansPage(await plansData(c), c.var.principal, null, { asOfMs: nowMs(c), empty: emptyState(c), rejected }), 400);
    }
    if (!isForced(form.confirm)) {
      const w = windowOf(c, "7d");
      const impact = await loadPlanStats(sqlClient(c), { from: w.from, to: w.to, tenant: null }, { plan, ...limits.value });
      if (impact.whatIf !== null) return c.html(confirmLimitsPage(plan, limits.value, impact.whatIf, c.var.principal));
    }
    const entry = await savePlan(c.env, c.var.principal, plan, limits.value);
    return c.redirect(`/plans${qs({ saved: entry.key })}#plan-${plan}`, 303);
  })
  // A price change moves no limit, so it saves at once; a refused value comes back in the form (400).
  .post("/plans/:plan/price", requireWrite(), async (c) => {
    const plan = parsePlanName(c.req.param("plan"));
    assertCanEditPlans(c.var.principal);
    const form = await formBody(c);
    try {
      const entry = await savePlan(c.env, c.var.principal, plan, priceInput(form));
      return c.redirect(`/plans${qs({ saved: entry.key })}#plan-${plan}`, 303);
    } catch (error) {
      if (!(error instanceof DashboardError) || error.code !== "bad_request") throw error;
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(form)) if (typeof v === "string") fields[k] = v;
      const rejectedPrice = { plan, fields, message: error.message };
      return c.html(plansPage(await plansData(c), c.var.principal, null, { asOfMs: nowMs(c), empty: emptyState(c), rejectedPrice }), 400);
    }
  })
  .put("/api/plans/:plan", requireWrite(), async (c) => {
    const plan = parsePlanName(c.req.param("plan"));
    return c.json({ saved: await savePlan(c.env, c.var.principal, plan, await jsonBody(c)) });
  })
  .post("/tenants/:tenant/assignment", requireWrite(), async (c) => {
    const tenant = parseTenant(c.req.param("tenant"));
    const refused = await assignFromForm(c, tenant, await formBody(c), `/tenants/${tenant}/assignment`, `/tenants/${tenant}`);
    return refused ?? c.redirect(`/tenants/${tenant}`, 303);
  })
  .post("/assignments", requireWrite(), async (c) => {
    const form = await formBody(c);
    const tenant = parseTenant(typeof form.tenant === "string" ? form.tenant : undefined);
    const refused = await assignFromForm(c, tenant, form, "/assignments", "/plans");
    return refused ?? c.redirect(`/plans${qs({ saved: kvKeys.tenant(tenant) })}`, 303);
  })
  // `?force=true` saves a change for a tenant the dashboard cannot find (409 unknown_tenant otherwise).
  .put("/api/tenants/:tenant/assignment", requireWrite(), async (c) => {
    const tenant = parseTenant(c.req.param("tenant"));
    const guard = tenantGuard(c, isForced(c.req.query("force")));
    return c.json({ saved: await saveAssignment(c.env, c.var.principal, tenant, await jsonBody(c), guard) });
  });
