/**
 * One evaluation, pure: the rules, the run's answers, the states kept since the last run
 * and the clock give the new states, the history, the notifications and the quota stops
 * to make. A rule notifies once when it starts firing for a tenant, again after each
 * cooldown while it still fires, and once when it resolves. Only firing states are kept:
 * a rule without a state for a tenant is ok for it.
 */
import type { AlertNotification, AlertRule } from "@tenantscope/core/alerts";
import { inScope } from "@tenantscope/core/alerts";
import type { HistoryEntry, RuleState } from "@tenantscope/core/alert-state";
import { customerOf } from "@tenantscope/core/customers";
import type { Answers } from "./figures.ts";
import { judge, type Judgement } from "./judge.ts";
import { shapeKey } from "./shapes.ts";

export interface EvaluationInput {
  rules: readonly AlertRule[];
  answers: Answers;
  /** Firing states from the last run (any rule, including rules since deleted). */
  states: readonly RuleState[];
  /** Stops already made, as `stopKey`s: a tenant is stopped at most once per rule and period. */
  stopped: ReadonlySet<string>;
  nowMs: number;
  /** The dashboard's base URL for links, without a trailing slash ("" gives relative links). */
  dashboardUrl: string;
}

export interface Notify {
  webhooks: string[];
  notification: AlertNotification;
}

export interface StopAction {
  rule: string;
  tenant: string;
  until: string;
  value: number;
  threshold: number;
}

export interface Evaluation {
  /** Every firing state after this run; anything not listed is ok. */
  states: RuleState[];
  history: HistoryEntry[];
  notify: Notify[];
  stops: StopAction[];
  /** Distinct tenants judged. */
  tenants: number;
}

export const stopKey = (rule: string, tenant: string, until: string): string => `${rule}\u0000${tenant}\u0000${until}`;
const stateKey = (rule: string, tenant: string): string => `${rule}\u0000${tenant}`;
const iso = (ms: number): string => new Date(ms).toISOString();

/** The tenants a rule is judged for: those with points in its window or period, and those it fires for. */
function candidates(rule: AlertRule, answers: Answers, firing: ReadonlyMap<string, RuleState>): Set<string> {
  const c = rule.condition;
  const key = c.kind === "quota" ? shapeKey({ kind: "period", seconds: c.periodSeconds }) : shapeKey({ kind: "window", minutes: c.windowMinutes });
  const tenants = new Set<string>(rule.scope.kind === "tenant" ? [rule.scope.value] : (answers.get(key)?.tenants.keys() ?? []));
  for (const s of firing.values()) if (s.rule === rule.id) tenants.add(s.tenant);
  return tenants;
}

function notification(rule: AlertRule, tenant: string, j: Judgement, event: AlertNotification["event"], since: string | null, input: EvaluationInput, stoppedUntil: string | null): AlertNotification {
  const base = input.dashboardUrl;
  return {
    event,
    rule: { id: rule.id, name: rule.name, condition: rule.condition.kind },
    scope: rule.scope,
    tenant,
    value: j.value,
    threshold: j.threshold,
    window: { from: iso(j.window.from), to: iso(j.window.to) },
    since,
    at: iso(input.nowMs),
    links: { tenant: `${base}/tenants/${tenant}`, alerts: `${base}/alerts` },
    ...(j.forecast === undefined ? {} : { forecast: j.forecast }),
    ...(stoppedUntil === null ? {} : { stoppedUntil }),
  };
}

export function evaluate(input: EvaluationInput): Evaluation {
  const { nowMs } = input;
  const at = iso(nowMs);
  const firing = new Map(input.states.map((s) => [stateKey(s.rule, s.tenant), s]));
  const out: Evaluation = { states: [], history: [], notify: [], stops: [], tenants: 0 };
  const judged = new Set<string>();
  for (const rule of input.rules) {
    if (!rule.enabled) continue;
    for (const tenant of candidates(rule, input.answers, firing)) {
      const j = judge(rule.condition, input.answers, tenant, nowMs);
      judged.add(tenant);
      // Without points the tenant's plan and customer are unknown, but then nothing fires.
      const scoped = j.who === null || inScope(rule.scope, { tenant, plan: j.who.plan, customer: customerOf(j.who.customer, tenant) });
      const fires = scoped && j.firing;
      const was = firing.get(stateKey(rule.id, tenant)) ?? null;
      const entry = (event: HistoryEntry["event"]): HistoryEntry => ({ at, rule: rule.id, tenant, event, value: j.value, threshold: j.threshold });
      const send = (event: AlertNotification["event"], since: string | null, stoppedUntil: string | null): void => {
        out.notify.push({ webhooks: rule.webhooks, notification: notification(rule, tenant, j, event, since, input, stoppedUntil) });
      };
      if (!fires) {
        if (was !== null) {
          out.history.push(entry("resolved"));
          send("resolved", was.since, null);
        }
        continue;
      }
      const until = j.stopUntil === undefined ? null : iso(j.stopUntil);
      const stopNow = until !== null && !input.stopped.has(stopKey(rule.id, tenant, until));
      if (stopNow && until !== null) out.stops.push({ rule: rule.id, tenant, until, value: j.value, threshold: j.threshold });
      const since = was?.since ?? at;
      const due = was === null || was.lastNotified === null || nowMs - Date.parse(was.lastNotified) >= rule.cooldownMinutes * 60_000;
      // A stop is news of its own: it is sent at once, whatever the cooldown.
      const event = was === null ? "firing" : due || stopNow ? "still_firing" : null;
      if (event !== null) {
        out.history.push(entry(event));
        send(event, since, until);
      }
      out.states.push({
        rule: rule.id,
        tenant,
        status: "firing",
        since,
        lastNotified: event === null ? (was?.lastNotified ?? null) : at,
        value: j.value,
        threshold: j.threshold,
        evaluatedAt: at,
      });
    }
  }
  out.tenants = judged.size;
  return out;
}
