/**
 * What the Alerts page and its JSON twin show: the rules and webhooks from KV, and, from
 * the evaluator, what fires now, the history, the deliveries and the last runs. The page
 * still lists and edits rules when the evaluator is missing or failing; it says which.
 */
import type { Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { webhookView } from "@tenantscope/core/alert-text";
import type { AlertRule } from "@tenantscope/core/alerts";
import { describeError } from "../errors.ts";
import { alertsService, callAlerts } from "./service.ts";
import { listRules, listWebhooks, type Listed, type WebhookView } from "./store.ts";

export const HISTORY_ON_PAGE = 50;
export const DELIVERIES_ON_PAGE = 50;
export const RUNS_ON_PAGE = 10;

export interface EvaluatorView {
  /** Every state that is firing, newest first. */
  firing: RuleState[];
  history: HistoryEntry[];
  deliveries: Delivery[];
  runs: RunSummary[];
}

export type EvaluatorStatus = { status: "not_deployed" } | { status: "failed"; message: string } | ({ status: "ok" } & EvaluatorView);

export interface AlertsData {
  rules: Listed<AlertRule>[];
  webhooks: Listed<WebhookView>[];
  evaluator: EvaluatorStatus;
}

export function firingFirst(states: readonly RuleState[]): RuleState[] {
  return states.filter((s) => s.status === "firing").sort((a, b) => (b.since ?? "").localeCompare(a.since ?? "") || a.rule.localeCompare(b.rule));
}

async function evaluatorView(env: Pick<Env, "ALERTS">): Promise<EvaluatorStatus> {
  const service = alertsService(env);
  if (service === null) return { status: "not_deployed" };
  try {
    const [states, history, deliveries, runs] = await callAlerts("answer", () =>
      Promise.all([service.states(), service.history(HISTORY_ON_PAGE), service.deliveries(DELIVERIES_ON_PAGE), service.runs(RUNS_ON_PAGE)]));
    const firing = firingFirst(states);
    return { status: "ok", firing, history, deliveries, runs };
  } catch (error) {
    return { status: "failed", message: describeError(error).message };
  }
}

export async function loadAlerts(env: Pick<Env, "ALERTS" | "PLANS">): Promise<AlertsData> {
  const [rules, webhooks, evaluator] = await Promise.all([listRules(env.PLANS), listWebhooks(env.PLANS), evaluatorView(env)]);
  const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
  return {
    rules: rules.sort(byId),
    webhooks: webhooks.map((w): Listed<WebhookView> => (w.ok ? { id: w.id, ok: true, value: webhookView(w.value) } : w)).sort(byId),
    evaluator,
  };
}

/** A tenant's firing alerts, each with its rule's name; null when there is no evaluator to ask. */
export type TenantAlerts = { firing: (RuleState & { name: string; kind: AlertRule["condition"]["kind"] | null })[] } | { failed: string } | null;

export async function tenantAlerts(env: Pick<Env, "ALERTS" | "PLANS">, tenant: string): Promise<TenantAlerts> {
  const service = alertsService(env);
  if (service === null) return null;
  try {
    const states = await callAlerts("answer", () => service.states({ tenant }));
    // The filter is the evaluator's; checked again here, so another tenant's state never shows.
    const firing = firingFirst(states.filter((s) => s.tenant === tenant));
    // The rules' names cost a KV read each: only when something fires.
    const rules = firing.length === 0 ? [] : await listRules(env.PLANS);
    const byId = new Map(rules.flatMap((r) => (r.ok ? [[r.id, r.value] as const] : [])));
    return { firing: firing.map((s) => ({ ...s, name: byId.get(s.rule)?.name ?? s.rule, kind: byId.get(s.rule)?.condition.kind ?? null })) };
  } catch (error) {
    return { failed: describeError(error).message };
  }
}
