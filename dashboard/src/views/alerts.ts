/**
 * Alerts page (operators of the whole platform): the evaluator's state (what fires now,
 * its last runs), the rules and webhooks with their forms, the history and the webhook
 * deliveries with a "send a test notification" button. Secrets never reach the page.
 */
import { html } from "hono/html";
import type { Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { describeCondition, describeScope } from "@tenantscope/core/alert-text";
import type { AlertRule } from "@tenantscope/core/alerts";
import type { Principal } from "../auth/users.ts";
import type { AlertsData, EvaluatorStatus } from "../alerts/data.ts";
import type { Refusal, RuleFormValues, WebhookFormValues } from "../alerts/forms.ts";
import type { WebhookView } from "../alerts/store.ts";
import { ruleForm, webhookForm } from "./alert-forms.ts";
import { fmtInt, fmtMs, fmtPct } from "./format.ts";
import { csrfField, errorBox, layout, type Html } from "./layout.ts";

export interface AlertsNotice {
  kind: "saved-rule" | "deleted-rule" | "saved-webhook" | "deleted-webhook" | "tested" | "evaluated";
  id: string;
}

const SHARE_KINDS = new Set<AlertRule["condition"]["kind"]>(["error_rate", "limit_rate", "cpu_p95"]);

/** Shares as percentages, counts and factors as numbers: the value means what its rule measures. */
export function fmtValue(rule: AlertRule | AlertRule["condition"]["kind"] | null | undefined, v: number): string {
  const kind = typeof rule === "string" ? rule : rule?.condition.kind;
  if (kind !== undefined && SHARE_KINDS.has(kind)) return fmtPct(v);
  return Number.isInteger(v) ? fmtInt(v) : v.toFixed(2);
}

const none = (cols: number, text: string): Html => html`<tr><td colspan="${cols}" class="empty">${text}</td></tr>`;

function noticeText(n: AlertsNotice, ev: EvaluatorStatus): string {
  switch (n.kind) {
    case "saved-rule": return `Saved rule ${n.id}. The evaluator reads it at its next run.`;
    case "deleted-rule": return `Deleted rule ${n.id}.`;
    case "saved-webhook": return `Saved webhook ${n.id}.`;
    case "deleted-webhook": return `Deleted webhook ${n.id}.`;
    case "evaluated": return "Evaluated every rule now: see the last runs below.";
    case "tested": {
      const d = ev.status === "ok" ? ev.deliveries.find((x) => x.webhook === n.id && x.event === "test") : undefined;
      if (d === undefined) return `Sent a test notification to ${n.id}.`;
      const last = d.lastStatus === null ? (d.lastError ?? "no answer") : `HTTP ${d.lastStatus}`;
      return `Test notification to ${n.id}: ${d.status} after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"} (${last}).`;
    }
  }
}

function evaluatorBox(ev: EvaluatorStatus, principal: Principal): Html {
  if (ev.status === "not_deployed") {
    return html`<section class="notice" id="evaluator" role="status"><b>The alert evaluator is not deployed.</b> This dashboard has no <code>ALERTS</code> service binding to <code>tenantscope-alerts</code>, so rule states, history and deliveries are unavailable; rules and webhooks can still be edited here. Deploy it with <code>pnpm run deploy</code>.</section>`;
  }
  if (ev.status === "failed") return html`<section id="evaluator">${errorBox(ev.message)}</section>`;
  const last = ev.runs[0];
  const run = last === undefined
    ? html`No evaluation has run yet.`
    : html`Last run <span class="time">${last.at}</span>: ${fmtInt(last.rules)} rules over ${fmtInt(last.tenants)} tenants, <span data-figure="sql-queries">${fmtInt(last.sqlQueries)}</span> SQL queries, ${fmtMs(last.wallMs)} wall${last.cpuMs === null ? "" : `, ${fmtMs(last.cpuMs)} CPU`}${last.error === null ? "" : html` — <b class="bad">failed: ${last.error}</b>`}.`;
  return html`<section id="evaluator"><p>${run}</p>
<form method="post" action="/alerts/evaluate" class="row">${csrfField(principal)}<button type="submit">Evaluate now</button></form></section>`;
}

function firingSection(ev: EvaluatorStatus, rules: Map<string, AlertRule>): Html {
  if (ev.status !== "ok") return html``;
  const rows = ev.firing.map((s: RuleState) => html`<tr><td>${rules.get(s.rule)?.name ?? s.rule} <code>${s.rule}</code></td><td><a href="/tenants/${s.tenant}">${s.tenant}</a></td>
    <td class="time">${s.since ?? ""}</td><td class="num">${fmtValue(rules.get(s.rule), s.value)}</td><td class="num">${fmtValue(rules.get(s.rule), s.threshold)}</td><td class="time">${s.lastNotified ?? "never"}</td></tr>`);
  return html`<h2 id="firing">Firing now (<span data-figure="firing">${ev.firing.length}</span>)</h2>
<table class="data" id="firing-table"><thead><tr><th>Rule</th><th>Tenant</th><th>Since (UTC)</th><th>Value</th><th>Threshold</th><th>Last notified</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(6, "Nothing is firing.") : html``}</tbody></table>
<p class="note">Every rule-and-tenant pair not listed is ok: the evaluator keeps a state only while a rule fires.</p>`;
}

function rulesSection(d: AlertsData, principal: Principal, firingBy: Map<string, number>): Html {
  const rows = d.rules.map((r) => {
    const del = html`<form method="post" action="/alerts/rules/${r.id}/delete" class="inline">${csrfField(principal)}<button type="submit" aria-label="Delete rule ${r.id}">Delete</button></form>`;
    if (!r.ok) return html`<tr><td><code>${r.id}</code></td><td colspan="5"><b class="bad">invalid record, ignored by the evaluator</b>: ${r.problem}</td><td>${del}</td></tr>`;
    const rule = r.value;
    return html`<tr id="rule-${rule.id}"><td>${rule.name} <code>${rule.id}</code></td><td>${describeScope(rule.scope)}</td><td>${describeCondition(rule.condition)}</td>
      <td class="num">${rule.cooldownMinutes} min</td><td>${rule.webhooks.join(", ") || "none"}</td><td>${rule.enabled ? "enabled" : "disabled"}${firingBy.has(rule.id) ? html`, <b class="bad">firing for ${firingBy.get(rule.id)}</b>` : ""}</td>
      <td><a href="/alerts?edit=${rule.id}#rule-form" aria-label="Edit rule ${rule.id}">Edit</a> ${del}</td></tr>`;
  });
  return html`<h2 id="rules">Rules</h2>
<table class="data" id="rules-table"><thead><tr><th>Rule</th><th>Scope</th><th>Condition</th><th>Cooldown</th><th>Webhooks</th><th>State</th><th>Actions</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(7, "No rules yet: add one below.") : html``}</tbody></table>`;
}

function webhooksSection(d: AlertsData, principal: Principal, canTest: boolean): Html {
  const rows = d.webhooks.map((w) => {
    const del = html`<form method="post" action="/alerts/webhooks/${w.id}/delete" class="inline">${csrfField(principal)}<button type="submit" aria-label="Delete webhook ${w.id}">Delete</button></form>`;
    if (!w.ok) return html`<tr><td><code>${w.id}</code></td><td colspan="3"><b class="bad">invalid record, ignored</b>: ${w.problem}</td><td>${del}</td></tr>`;
    const h: WebhookView = w.value;
    const test = canTest
      ? html`<form method="post" action="/alerts/webhooks/${h.id}/test" class="inline">${csrfField(principal)}<button type="submit" aria-label="Send a test notification to ${h.id}">Send a test notification</button></form>`
      : html``;
    return html`<tr><td><code>${h.id}</code></td><td>${h.format}</td><td><code>${h.url}</code></td><td>${h.secret}</td><td>${test} ${del}</td></tr>`;
  });
  return html`<h2 id="webhooks">Webhooks</h2>
<table class="data" id="webhooks-table"><thead><tr><th>Webhook</th><th>Format</th><th>URL (without query)</th><th>Secret</th><th>Actions</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(5, "No webhooks yet: add one below.") : html``}</tbody></table>`;
}

function historySection(entries: HistoryEntry[], rules: Map<string, AlertRule>): Html {
  const rows = entries.map((e) => html`<tr><td class="time">${e.at}</td><td><code>${e.rule}</code></td><td><a href="/tenants/${e.tenant}">${e.tenant}</a></td>
    <td>${e.event === "firing" || e.event === "stopped" ? html`<b class="bad">${e.event}</b>` : e.event}</td><td class="num">${fmtValue(rules.get(e.rule), e.value)}</td><td class="num">${fmtValue(rules.get(e.rule), e.threshold)}</td></tr>`);
  return html`<h2 id="history">History</h2>
<table class="data" id="history-table"><thead><tr><th>When (UTC)</th><th>Rule</th><th>Tenant</th><th>Event</th><th>Value</th><th>Threshold</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(6, "No alert has fired yet.") : html``}</tbody></table>`;
}

function deliveriesSection(deliveries: Delivery[]): Html {
  const rows = deliveries.map((d) => {
    const last = d.lastStatus === null ? (d.lastError ?? "") : `HTTP ${d.lastStatus}${d.lastError === null ? "" : `: ${d.lastError}`}`;
    const status = d.status === "failed" ? html`<b class="bad">failed</b>` : d.status === "pending" ? html`pending, next try <span class="time">${d.nextAttemptAt ?? ""}</span>` : html`delivered`;
    return html`<tr><td class="time">${d.createdAt}</td><td><code>${d.webhook}</code></td><td>${d.event}</td><td><code>${d.rule}</code></td><td>${d.tenant}</td><td>${status}</td><td class="num">${d.attempts}</td><td>${last}</td></tr>`;
  });
  return html`<h2 id="deliveries">Deliveries</h2>
<table class="data" id="deliveries-table"><thead><tr><th>Created (UTC)</th><th>Webhook</th><th>Event</th><th>Rule</th><th>Tenant</th><th>Status</th><th>Attempts</th><th>Last answer</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(8, "No deliveries yet.") : html``}</tbody></table>`;
}

function runsSection(runs: RunSummary[]): Html {
  const rows = runs.map((r) => html`<tr><td class="time">${r.at}</td><td class="num">${fmtInt(r.rules)}</td><td class="num">${fmtInt(r.tenants)}</td><td class="num">${fmtInt(r.sqlQueries)}</td>
    <td class="num">${r.cpuMs === null ? "–" : fmtMs(r.cpuMs)}</td><td class="num">${fmtMs(r.wallMs)}</td><td>${r.error === null ? "ok" : html`<b class="bad">${r.error}</b>`}</td></tr>`);
  return html`<h2 id="runs">Last runs</h2>
<table class="data" id="runs-table"><thead><tr><th>At (UTC)</th><th>Rules</th><th>Tenants</th><th>SQL queries</th><th>CPU</th><th>Wall</th><th>Result</th></tr></thead>
<tbody>${rows}${rows.length === 0 ? none(7, "No runs yet.") : html``}</tbody></table>`;
}

export interface AlertForms {
  rule?: { values: RuleFormValues; refusal: Refusal | null };
  webhook?: { values: WebhookFormValues; refusal: Refusal };
}

export function alertsPage(d: AlertsData, principal: Principal, notice: AlertsNotice | null, forms: AlertForms): Html {
  const ev = d.evaluator;
  const rules = new Map(d.rules.flatMap((r) => (r.ok ? [[r.id, r.value] as const] : [])));
  const firingBy = new Map<string, number>();
  if (ev.status === "ok") for (const s of ev.firing) firingBy.set(s.rule, (firingBy.get(s.rule) ?? 0) + 1);
  const hooks = d.webhooks.flatMap((w) => (w.ok ? [w.value] : []));
  const body = html`${notice === null ? html`` : html`<div class="notice" role="status">${noticeText(notice, ev)}</div>`}
${evaluatorBox(ev, principal)}
${firingSection(ev, rules)}
${rulesSection(d, principal, firingBy)}
${ruleForm(principal, hooks, forms.rule ?? null)}
${webhooksSection(d, principal, ev.status !== "not_deployed")}
${webhookForm(principal, forms.webhook ?? null)}
${ev.status === "ok" ? html`${historySection(ev.history, rules)}${deliveriesSection(ev.deliveries)}${runsSection(ev.runs)}` : html``}
<p class="api">JSON: <a href="/api/alerts">/api/alerts</a></p>`;
  return layout({ title: "Alerts", principal, active: "alerts", body });
}
