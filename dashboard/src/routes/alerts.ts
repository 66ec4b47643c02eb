/**
 * Alerts (operators of the whole platform): GET /alerts and /api/alerts; rule and webhook
 * edits as forms (POST, then a redirect back; a refused value comes back in the form with
 * its reason beside the field, 400) and as JSON (PUT, DELETE); a test notification and an
 * evaluation on demand, through the evaluator's ALERTS binding. Every edit passes
 * requireWrite (operator + CSRF) before its body is used, and lands in the audit log.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { ALERT_ID_RE, alertKeys, validateRule, type AlertRule } from "@tenantscope/core/alerts";
import { webhookView } from "@tenantscope/core/alert-text";
import type { AppEnv } from "../app-env.ts";
import { requirePage, requireWrite } from "../auth/middleware.ts";
import { DashboardError, badRequest } from "../errors.ts";
import { readPlan } from "../kv.ts";
import { liftStop } from "../edits.ts";
import { allowQuery, parseTenant } from "../params.ts";
import { loadAlerts } from "../alerts/data.ts";
import { checkRule, checkWebhook, ruleFormOf, ruleFormValues, webhookFormValues, type Refusal, type RuleFormValues, type WebhookFormValues } from "../alerts/forms.ts";
import { callAlerts, requireAlerts } from "../alerts/service.ts";
import { assertCanEditAlerts, listRules, readWebhook, recordExists, removeRule, removeWebhook, writeRule, writeWebhook } from "../alerts/store.ts";
import { alertsPage, type AlertsNotice } from "../views/alerts.ts";
import { isForced, unknownTenantReason } from "./guard.ts";
import { qs } from "./shared.ts";

type C = Context<AppEnv>;
type Form = Record<string, string | File | (string | File)[]>;

function alertId(value: string | undefined, what: "rule" | "webhook"): string {
  if (value === undefined || !ALERT_ID_RE.test(value)) throw badRequest(`${what} must be an id: lower-case letters, digits and dashes, at most 63.`);
  return value;
}

/** Rules and webhooks cover every tenant: not a page for a reader scoped to one. */
const wholePlatform: MiddlewareHandler<AppEnv> = async function requireWholePlatform(c, next) {
  assertCanEditAlerts(c.var.principal);
  await next();
};

/** Webhooks and the scope's tenant or plan must exist; a refusal names the field. */
async function referenceProblem(c: C, rule: AlertRule, force: boolean): Promise<Refusal | null> {
  for (const id of rule.webhooks) {
    if ((await readWebhook(c.env.PLANS, id)) === null) return { field: "webhooks", message: `There is no webhook "${id}": add it below first.` };
  }
  if (rule.scope.kind === "plan" && (await readPlan(c.env.PLANS, rule.scope.value)) === null) {
    return { field: "scopeValue", message: `There is no plan "${rule.scope.value}".` };
  }
  if (rule.scope.kind === "tenant" && !force) {
    const reason = await unknownTenantReason(c, rule.scope.value);
    if (reason !== null) return { field: "scopeValue", message: `${reason} Tick "save anyway" to keep it.` };
  }
  return null;
}

/** Which webhook records rules name: a webhook in use is not deleted without force. */
async function rulesUsing(c: C, webhook: string): Promise<string[]> {
  return (await listRules(c.env.PLANS)).flatMap((r) => (r.ok && r.value.webhooks.includes(webhook) ? [r.id] : []));
}

async function page(c: C, status: 200 | 400, notice: AlertsNotice | null, forms: { rule?: { values: RuleFormValues; refusal: Refusal | null }; webhook?: { values: WebhookFormValues; refusal: Refusal } } = {}): Promise<Response> {
  return c.html(alertsPage(await loadAlerts(c.env), c.var.principal, notice, forms), status);
}

function notice(c: C): AlertsNotice | null {
  const pick = (name: string): string | null => {
    const v = c.req.query(name);
    // Only key shapes are echoed back, never arbitrary text from the URL.
    return v !== undefined && ALERT_ID_RE.test(v) ? v : null;
  };
  for (const kind of ["saved-rule", "deleted-rule", "saved-webhook", "deleted-webhook", "tested"] as const) {
    const id = pick(kind);
    if (id !== null) return { kind, id };
  }
  return c.req.query("evaluated") === "1" ? { kind: "evaluated", id: "" } : null;
}

async function deleteWebhook(c: C, id: string, force: boolean): Promise<void> {
  const users = await rulesUsing(c, id);
  if (users.length > 0 && !force) throw new DashboardError("conflict", `Rules ${users.join(", ")} notify webhook "${id}": change them first, or delete with force.`);
  await removeWebhook(c.env.PLANS, c.var.principal, id);
}

async function body(c: C): Promise<Record<string, unknown>> {
  try {
    const value: unknown = await c.req.json();
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest("The request body must be a JSON object.");
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof DashboardError) throw error;
    throw badRequest("The request body must be JSON.");
  }
}

const form = async (c: C): Promise<Form> => c.req.parseBody({ all: true });

export const alertRoutes = new Hono<AppEnv>()
  .use("/alerts", requirePage("alerts"), wholePlatform)
  .use("/alerts/*", requirePage("alerts"), wholePlatform)
  .use("/api/alerts", requirePage("alerts"), wholePlatform)
  .use("/api/alerts/*", requirePage("alerts"), wholePlatform)
  .get("/alerts", allowQuery("edit", "saved-rule", "deleted-rule", "saved-webhook", "deleted-webhook", "tested", "evaluated"), async (c) => {
    const edit = c.req.query("edit");
    if (edit === undefined) return page(c, 200, notice(c));
    const rule = (await loadAlerts(c.env)).rules.find((r) => r.id === alertId(edit, "rule"));
    if (rule === undefined || !rule.ok) throw new DashboardError("not_found", `There is no valid rule "${edit}" to edit.`);
    return page(c, 200, null, { rule: { values: ruleFormOf(rule.value), refusal: null } });
  })
  .get("/api/alerts", async (c) => c.json(await loadAlerts(c.env)))
  .post("/alerts/rules", requireWrite(), async (c) => {
    const f = await form(c);
    const values = ruleFormValues(f);
    const checked = checkRule(values);
    if (!checked.ok) return page(c, 400, null, { rule: { values, refusal: checked.refusal } });
    const problem = await referenceProblem(c, checked.rule, isForced(f.force));
    if (problem !== null) return page(c, 400, null, { rule: { values, refusal: problem } });
    await writeRule(c.env.PLANS, c.var.principal, checked.rule);
    return c.redirect(`/alerts${qs({ "saved-rule": checked.rule.id })}#rules`, 303);
  })
  .post("/alerts/rules/:id/delete", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "rule");
    if (await recordExists(c.env.PLANS, alertKeys.rule(id))) await removeRule(c.env.PLANS, c.var.principal, id);
    return c.redirect(`/alerts${qs({ "deleted-rule": id })}#rules`, 303);
  })
  .post("/alerts/webhooks", requireWrite(), async (c) => {
    const f = webhookFormValues(await form(c));
    const current = ALERT_ID_RE.test(f.id) ? await readWebhook(c.env.PLANS, f.id) : null;
    const checked = checkWebhook(f, current);
    // The secret is never sent back, not even in a refused form.
    if (!checked.ok) return page(c, 400, null, { webhook: { values: { id: f.id, url: f.url, format: f.format }, refusal: checked.refusal } });
    await writeWebhook(c.env.PLANS, c.var.principal, checked.webhook);
    return c.redirect(`/alerts${qs({ "saved-webhook": checked.webhook.id })}#webhooks`, 303);
  })
  .post("/alerts/webhooks/:id/delete", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "webhook");
    if (await recordExists(c.env.PLANS, alertKeys.webhook(id))) await deleteWebhook(c, id, isForced((await form(c)).force));
    return c.redirect(`/alerts${qs({ "deleted-webhook": id })}#webhooks`, 303);
  })
  .post("/alerts/webhooks/:id/test", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "webhook");
    if ((await readWebhook(c.env.PLANS, id)) === null) throw new DashboardError("not_found", `There is no webhook "${id}".`);
    const service = requireAlerts(c.env);
    await callAlerts("send a test notification", () => service.sendTest(id));
    return c.redirect(`/alerts${qs({ tested: id })}#deliveries`, 303);
  })
  // On the tenant page: a quota rule's stop ended early, audited as the operator.
  .post("/tenants/:tenant/lift-stop", requirePage("alerts"), wholePlatform, requireWrite(), async (c) => {
    const tenant = parseTenant(c.req.param("tenant"));
    await liftStop(c.env, c.var.principal, tenant);
    return c.redirect(`/tenants/${tenant}`, 303);
  })
  .post("/alerts/evaluate", requireWrite(), async (c) => {
    const service = requireAlerts(c.env);
    await callAlerts("evaluate", () => service.evaluateNow());
    return c.redirect("/alerts?evaluated=1#runs", 303);
  })
  .put("/api/alerts/rules/:id", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "rule");
    const valid = validateRule({ ...(await body(c)), id });
    if (!valid.ok) throw badRequest(`Rule "${id}" was not saved: ${valid.message}.`);
    const problem = await referenceProblem(c, valid.value, isForced(c.req.query("force")));
    if (problem !== null) throw badRequest(`Rule "${id}" was not saved: ${problem.message}`);
    return c.json({ saved: await writeRule(c.env.PLANS, c.var.principal, valid.value) });
  })
  .delete("/api/alerts/rules/:id", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "rule");
    if (!(await recordExists(c.env.PLANS, alertKeys.rule(id)))) throw new DashboardError("not_found", `There is no rule "${id}".`);
    return c.json({ deleted: await removeRule(c.env.PLANS, c.var.principal, id) });
  })
  .put("/api/alerts/webhooks/:id", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "webhook");
    const b = await body(c);
    const str = (v: unknown): string => (typeof v === "string" ? v : "");
    const checked = checkWebhook({ id, url: str(b.url), format: typeof b.format === "string" ? b.format : "json", secret: str(b.secret) }, await readWebhook(c.env.PLANS, id));
    if (!checked.ok) throw badRequest(`Webhook "${id}" was not saved: ${checked.refusal.message}.`);
    const entry = await writeWebhook(c.env.PLANS, c.var.principal, checked.webhook);
    return c.json({ saved: entry, webhook: webhookView(checked.webhook) });
  })
  .delete("/api/alerts/webhooks/:id", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "webhook");
    if (!(await recordExists(c.env.PLANS, alertKeys.webhook(id)))) throw new DashboardError("not_found", `There is no webhook "${id}".`);
    await deleteWebhook(c, id, isForced(c.req.query("force")));
    return c.json({ deleted: id });
  })
  .post("/api/alerts/webhooks/:id/test", requireWrite(), async (c) => {
    const id = alertId(c.req.param("id"), "webhook");
    if ((await readWebhook(c.env.PLANS, id)) === null) throw new DashboardError("not_found", `There is no webhook "${id}".`);
    const service = requireAlerts(c.env);
    return c.json({ delivery: await callAlerts("send a test notification", () => service.sendTest(id)) });
  })
  .post("/api/alerts/evaluate", requireWrite(), async (c) => {
    const service = requireAlerts(c.env);
    return c.json({ run: await callAlerts("evaluate", () => service.evaluateNow()) });
  });
