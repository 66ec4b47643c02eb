/** Tenant page (support): plan and state, usage, outcomes, status codes, violations, exceptions. */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { TenantAlerts } from "../alerts/data.ts";
import type { AssignmentView, PlanEntry } from "../kv.ts";
import type { ErrorGroups } from "../queries/errors.ts";
import type { TenantUsage, VersionSeen } from "../queries/tenant.ts";
import { qs } from "../routes/shared.ts";
import { BUCKETS, type TimeWindow } from "../time.ts";
import { barsSummary, chartFigure, seriesChart, seriesSummary, type ChartSpec } from "./chart.ts";
import { tenantErrorsSection } from "./errors.ts";
import { fmtInt, fmtMs } from "./format.ts";
import { outcomeLabel, statusLabel, violationLabel } from "./labels.ts";
import { fmtValue } from "./alerts.ts";
import { csrfField, errorBox, layout, type EmptyState, type Html } from "./layout.ts";
import { timeControl, timeParams } from "./time.ts";

export interface TenantPage {
  tenant: string;
  assignment: AssignmentView;
  plan: PlanEntry | null;
  usage: TenantUsage;
  /** Errors grouped (queries/errors.ts), shown in their own section. */
  errors: ErrorGroups;
  /** Workers Logs can be queried (a CF_OBSERVABILITY_TOKEN is set). */
  logs: boolean;
  /** What fires for this tenant now; null without an evaluator (no ALERTS binding). */
  alerts: TenantAlerts;
}

/** Each new script version as a line on the usage chart, where in its bucket it first answered. */
export function versionMarkers(versions: readonly VersionSeen[], buckets: readonly string[], bucketMs: number): { bin: number; fraction: number; label: string }[] {
  const starts = buckets.map((b) => Date.parse(`${b.replace(" ", "T")}Z`));
  return versions.filter((v) => v.isNew).flatMap((v) => {
    const t = Date.parse(`${v.firstSeen.replace(" ", "T")}Z`);
    const bin = starts.findIndex((s) => t >= s && t < s + bucketMs);
    return bin === -1 ? [] : [{ bin, fraction: ((t - (starts[bin] ?? t)) / bucketMs), label: `version ${v.version.slice(0, 12)}` }];
  });
}

/** Operators of the whole platform may end a stop early (the rule does not stop the tenant again in the same period). */
function liftForm(tenant: string, principal: Principal): Html {
  if (principal.role !== "operator" || principal.tenant !== null) return html``;
  return html`<form method="post" action="/tenants/${tenant}/lift-stop" class="inline">${csrfField(principal)}<button type="submit">Lift the stop</button></form>`;
}

function planLine(p: TenantPage, principal: Principal, asOfMs: number): Html {
  const a = p.assignment;
  const limits = p.plan?.limits;
  const limitText = limits === undefined || limits === null ? "unknown plan: the dispatcher applies the restrictive plan" : `${limits.cpuMs} ms CPU, ${limits.subRequests} subrequests`;
  const source = a.source === "default" ? " (no assignment in KV: the default plan)" : a.source === "invalid" ? ` (the KV record is invalid: ${a.problem ?? ""})` : a.outside === true ? " (changed outside tenantscope: not in the audit log)" : "";
  const stopped = a.stop !== undefined && Date.parse(a.stop.until) > asOfMs ? a.stop : null;
  const state = a.suspended
    ? html`<b class="bad" data-figure="suspended">suspended</b>`
    : stopped !== null
      ? html`<b class="bad" data-figure="suspended">stopped</b><small>quota rule ${stopped.rule} until ${stopped.until}: the dispatcher answers 429 quota_exceeded</small>${liftForm(p.tenant, principal)}`
      : html`<b data-figure="suspended">active</b>`;
  return html`<section class="cards">
  <div class="card"><span>Plan</span><b data-figure="plan">${a.plan}</b><small>${limitText}${source}</small></div>
  <div class="card"><span>State</span>${state}</div>
  <div class="card"><span>Invocations</span><b data-figure="invocations">${fmtInt(p.usage.breakdown.totals.invocations)}</b></div>
  <div class="card"><span>CPU total</span><b data-figure="cpu">${fmtMs(p.usage.breakdown.totals.cpuMs)}</b></div>
</section>`;
}

function assignForm(p: TenantPage, principal: Principal, plans: PlanEntry[]): Html {
  if (principal.role !== "operator") return html``;
  const options = plans.map((e) => html`<option value="${e.plan}"${e.plan === p.assignment.plan ? " selected" : ""}>${e.plan}</option>`);
  return html`<h2>Plan assignment</h2>
<form method="post" action="/tenants/${p.tenant}/assignment" class="row">
  ${csrfField(principal)}
  <label>Plan <select name="plan">${options}</select></label>
  <label><input type="checkbox" name="suspended" value="true"${p.assignment.suspended ? " checked" : ""}> suspended</label>
  <button type="submit">Save</button>
</form>`;
}

/** The tenant's firing alerts (from the evaluator): shown to everyone who may see the tenant. */
function activeAlerts(a: TenantAlerts, principal: Principal): Html {
  if (a === null) return html``;
  if ("failed" in a) return html`<h2 id="alerts">Active alerts</h2>${errorBox(a.failed)}`;
  const rows = a.firing.map((s) => html`<tr><td>${principal.role === "operator" && principal.tenant === null ? html`<a href="/alerts#rule-${s.rule}">${s.name}</a>` : s.name}</td><td class="time">${s.since ?? ""}</td><td class="num">${fmtValue(s.kind, s.value)}</td><td class="num">${fmtValue(s.kind, s.threshold)}</td><td class="time">${s.lastNotified ?? "never"}</td></tr>`);
  if (rows.length === 0) return html`<h2 id="alerts">Active alerts</h2><p class="empty" data-figure="active-alerts">No alert is firing for this tenant.</p>`;
  return html`<h2 id="alerts">Active alerts (<span data-figure="active-alerts">${rows.length}</span>)</h2>
<table class="data" id="active-alerts"><thead><tr><th>Rule</th><th>Firing since (UTC)</th><th>Value</th><th>Threshold</th><th>Last notified</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export interface TenantExtras {
  window: TimeWindow;
  asOfMs: number;
  empty: EmptyState | null;
}

/** The outcome doughnut, or a sentence when it would be one slice (or none). */
function outcomesChart(b: TenantUsage["breakdown"]): { spec: ChartSpec | null; figure: Html } {
  const slices = b.outcomes.filter((o) => o.invocations > 0);
  if (slices.length <= 1) {
    const only = slices[0];
    const text = only === undefined ? "No invocations in this window." : `All ${fmtInt(only.invocations)} invocations: ${outcomeLabel(only.outcome)}.`;
    return { spec: null, figure: html`<p class="single" data-figure="outcome-single">${text}</p>` };
  }
  const labels = b.outcomes.map((o) => outcomeLabel(o.outcome));
  const data = b.outcomes.map((o) => o.invocations);
  const spec: ChartSpec = { id: "tenant-outcomes", type: "doughnut", labels, datasets: [{ label: "invocations", data }], palette: "outcome", keys: b.outcomes.map((o) => o.outcome) };
  return { spec, figure: chartFigure(spec, "Invocations by outcome", barsSummary(labels, data, "invocations"), "small") };
}

export function tenantPage(p: TenantPage, principal: Principal, plans: PlanEntry[], x: TenantExtras): Html {
  const u = p.usage;
  const b = u.breakdown;
  const outcomeRows = b.outcomes.map((o) => html`<tr><td>${outcomeLabel(o.outcome)}</td><td class="num">${fmtInt(o.invocations)}</td></tr>`);
  const statusRows = b.statuses.map((s) => html`<tr><td>${statusLabel(s.status)}</td><td class="num">${fmtInt(s.requests)}</td></tr>`);
  const violationRows = b.violations.map(
    (v) =>
      html`<tr><td>${violationLabel(v.violation)}</td><td>${v.plan}</td><td class="num">${v.violation === "subrequests" ? fmtInt(v.subrequestLimit) : fmtMs(v.cpuLimitMs)}</td><td class="num">${fmtInt(v.invocations)}</td></tr>`,
  );
  const none = (rows: unknown[], cols: number): Html => (rows.length === 0 ? html`<tr><td colspan="${cols}" class="empty">None in this range.</td></tr>` : html``);
  const usage: ChartSpec = { ...seriesChart("tenant-usage", u.series, u.bucket, true), markers: versionMarkers(u.versions, u.series.buckets, BUCKETS[u.bucket].ms) };
  const outcomes = outcomesChart(b);
  const statusLabels = b.statuses.map((s) => statusLabel(s.status));
  const statusData = b.statuses.map((s) => s.requests);
  const statuses: ChartSpec = { id: "tenant-statuses", type: "bar", labels: statusLabels, datasets: [{ label: "requests", data: statusData }], yTitle: "requests" };
  const path = `/tenants/${p.tenant}`;
  const time = timeParams(x.window);
  const body = html`
${timeControl({ path, window: x.window, keep: {}, asOfMs: x.asOfMs })}
${planLine(p, principal, x.asOfMs)}
${activeAlerts(p.alerts, principal)}
<h2>Usage over time</h2>
${chartFigure(usage, "Invocations by outcome (stacked) and CPU ms over time (UTC)", seriesSummary(u.series, u.bucket))}
<div class="split">
  <section><h2>Outcomes</h2>${outcomes.figure}
    <table class="data" id="outcomes"><thead><tr><th>Outcome</th><th>Invocations</th></tr></thead><tbody>${outcomeRows}${none(outcomeRows, 2)}</tbody></table></section>
  <section><h2>Status the client got</h2>${chartFigure(statuses, "Requests by the status their client got", barsSummary(statusLabels, statusData, "requests"), "small")}
    <table class="data" id="statuses"><thead><tr><th>Status the client got</th><th>Requests</th></tr></thead><tbody>${statusRows}${none(statusRows, 2)}</tbody></table></section>
</div>
<h2>Limit violations</h2>
<table class="data" id="violations"><thead><tr><th>Limit</th><th>Plan</th><th>Limit in force</th><th>Invocations</th></tr></thead><tbody>${violationRows}${none(violationRows, 4)}</tbody></table>
${tenantErrorsSection(p.tenant, p.errors, { time, logs: p.logs })}
${assignForm(p, principal, plans)}
<p class="api">JSON: <a href="/api/tenants/${p.tenant}${qs(time)}">/api/tenants/${p.tenant}${qs(time)}</a></p>`;
  return layout({
    title: `Tenant ${p.tenant}`,
    principal,
    active: "overview",
    body,
    charts: [usage, ...(outcomes.spec === null ? [] : [outcomes.spec]), statuses],
    empty: x.empty,
  });
}

/** The answer for a name that stands for nothing (404): said plainly, with a way on. */
export function unknownTenantPage(tenant: string, principal: Principal, why: string): Html {
  const search = principal.tenant === null ? html`<p><a href="/${qs({ q: tenant })}">Search for tenants whose name contains “${tenant}”</a>.</p>` : html``;
  return layout({ title: "Unknown tenant", principal, active: "overview", body: html`${errorBox(`No tenant "${tenant}": ${why}.`)}${search}` });
}
