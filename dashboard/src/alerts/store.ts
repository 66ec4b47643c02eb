/**
 * Alert rules and webhooks in the PLANS KV (`alert:<id>`, `webhook:<id>`, core/KV.md),
 * read and written in core/src/alerts.ts's formats; every write goes through the one audit
 * log (core/src/audit.ts), a webhook's without its secret or its URL's query string.
 */
import { webhookAuditText, webhookView } from "@tenantscope/core/alert-text";
import { applyChange, type AuditChange, type AuditEntry } from "@tenantscope/core/audit";
import { alertKeys, parseRuleRecord, parseWebhookRecord, ruleRecord, webhookRecord, type AlertRule, type Webhook } from "@tenantscope/core/alerts";
import { bindingKv } from "../audit.ts";
import type { Principal } from "../auth/users.ts";
import { DashboardError, forbidden } from "../errors.ts";

type PlansKV = Env["PLANS"];

/** More than this many rules or webhooks is a sign of something else; the page lists this many. */
const MAX_RECORDS = 500;

/** A record as listed: valid, or the reason the evaluator ignores it. */
export type Listed<T> = { id: string; ok: true; value: T } | { id: string; ok: false; problem: string };

export type WebhookView = ReturnType<typeof webhookView>;
export { webhookView };

async function kvCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new DashboardError("storage_failed", `Could not ${what} in the PLANS KV namespace. Try again in a moment.`, { cause: error });
  }
}

async function listAll<T>(kv: PlansKV, prefix: string, parse: (text: string) => { ok: true; value: T } | { ok: false; message: string }): Promise<Listed<T>[]> {
  const page = await kvCall("list alert records", () => kv.list({ prefix, limit: MAX_RECORDS }));
  const read = await Promise.all(page.keys.map(async (k): Promise<Listed<T> | null> => {
    const text = await kvCall(`read ${k.name}`, () => kv.get(k.name));
    if (text === null) return null; // deleted between list and read
    const parsed = parse(text);
    const id = k.name.slice(prefix.length);
    return parsed.ok ? { id, ok: true, value: parsed.value } : { id, ok: false, problem: parsed.message };
  }));
  return read.filter((r): r is Listed<T> => r !== null);
}

export const listRules = (kv: PlansKV): Promise<Listed<AlertRule>[]> => listAll(kv, alertKeys.rulePrefix, parseRuleRecord);
export const listWebhooks = (kv: PlansKV): Promise<Listed<Webhook>[]> => listAll(kv, alertKeys.webhookPrefix, parseWebhookRecord);

export async function readWebhook(kv: PlansKV, id: string): Promise<Webhook | null> {
  const text = await kvCall(`read webhook "${id}"`, () => kv.get(alertKeys.webhook(id)));
  if (text === null) return null;
  const parsed = parseWebhookRecord(text);
  return parsed.ok ? parsed.value : null;
}

export async function recordExists(kv: PlansKV, key: string): Promise<boolean> {
  return (await kvCall(`read ${key}`, () => kv.get(key))) !== null;
}

/** Rules cover many tenants: an operator scoped to one tenant cannot change them. */
export function assertCanEditAlerts(principal: Principal): void {
  if (principal.tenant !== null) throw forbidden("Alert rules and webhooks cover every tenant; an operator scoped to one tenant cannot change them.");
}

async function record(kv: PlansKV, change: Omit<AuditChange, "via" | "fallback">): Promise<AuditEntry> {
  try {
    return await applyChange(bindingKv(kv), { ...change, via: "dashboard", fallback: null });
  } catch (error) {
    throw new DashboardError("storage_failed", "The change could not be saved (KV or the audit log failed); nothing was recorded. Try again.", { cause: error });
  }
}

export function writeRule(kv: PlansKV, principal: Principal, rule: AlertRule): Promise<AuditEntry> {
  return record(kv, { actor: principal.user, action: "alert", key: alertKeys.rule(rule.id), value: ruleRecord(rule) });
}

export function writeWebhook(kv: PlansKV, principal: Principal, hook: Webhook): Promise<AuditEntry> {
  return record(kv, { actor: principal.user, action: "webhook", key: alertKeys.webhook(hook.id), value: webhookRecord(hook), shown: webhookAuditText });
}

export function removeRule(kv: PlansKV, principal: Principal, id: string): Promise<AuditEntry> {
  return record(kv, { actor: principal.user, action: "alert", key: alertKeys.rule(id), value: null });
}

export function removeWebhook(kv: PlansKV, principal: Principal, id: string): Promise<AuditEntry> {
  return record(kv, { actor: principal.user, action: "webhook", key: alertKeys.webhook(id), value: null, shown: webhookAuditText });
}
