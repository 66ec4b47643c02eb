/** Plans page (operators): limits, CPU distribution with the limit drawn, violations, what-if, edits, audit log. */
import { html } from "hono/html";
import type { AuditEntry } from "../audit.ts";
import type { Principal } from "../auth/users.ts";
import type { PlanEntry } from "../kv.ts";
import { binLabels, limitPosition, type PlanStats, type WhatIf } from "../queries/plans.ts";
import type { TimeWindow } from "../time.ts";
import { barsSummary, chartFigure } from "./chart.ts";
import { fmtInt, fmtMs, fmtPct } from "./format.ts";
import { csrfField, layout, type ChartSpec, type EmptyState, type Html } from "./layout.ts";
import { timeControl, timeParams } from "./time.ts";
import { planMoney, type RejectedPrice } from "./plan-price.ts";
import { ESTIMATE_NOTE } from "./margin.ts";
import type { MarginReport } from "@tenantscope/core/margin";

export interface PlanView extends PlanEntry {
  stats: PlanStats | null;
}

export interface PlansData {
  window: TimeWindow;
  defaultPlan: string;
  plans: PlanView[];
  /** Plan labels in the data that are no plan now (`(mixed)` folds, deleted plans). */
  otherPlans: PlanStats[];
  /** Distinct tenants with invocations in the window: the plans' active tenants add up to it. */
  activeTenants: number;
  whatIf: WhatIf | null;
  audit: AuditEntry[];
  /** Records tenantscope wrote that were deleted straight from KV since (their latest entry). */
  deleted: AuditEntry[];
  /** This month's cost and margin (operators of the whole platform only). */
  margin: MarginReport | null;
}

/** A "Save limits" the validator refused: the values stay in the form, the reason beside them. */
export interface RejectedLimits {
  plan: string;
  cpuMs: string;
  subRequests: string;
  message: string;
}

function planCard(p: PlanView, d: PlansData, principal: Principal, rejected: RejectedLimits | null, rejectedPrice: RejectedPrice | null): Html {
  const s = p.stats;
  const limits = p.limits;
  const canEdit = principal.role === "operator" && principal.tenant === null;
  const mine = rejected !== null && rejected.plan === p.plan ? rejected : null;
  const reason = mine === null ? html`` : html`<span class="error" role="alert" id="rejected-${p.plan}">${mine.message}</span>`;
  const edit = canEdit
    ? html`<form method="post" action="/plans/${p.plan}" class="row">${csrfField(principal)}
        <label>CPU ms <input name="cpuMs" inputmode="numeric" value="${mine?.cpuMs ?? limits?.cpuMs ?? ""}" size="7"${mine === null ? "" : html` aria-describedby="rejected-${p.plan}"`}></label>
        <label>Subrequests <input name="subRequests" inputmode="numeric" value="${mine?.subRequests ?? limits?.subRequests ?? ""}" size="7"></label>
        <button type="submit">Save limits</button>${reason}</form>`
    : html``;
  const source = p.source === "builtin" ? "built-in (no KV record)" : p.source === "invalid" ? `KV record invalid: ${p.problem ?? ""}` : "KV";
  const outside = p.outside === true ? html` <b class="bad" data-figure="outside">changed outside tenantscope</b>` : html``;
  const figures =
    s === null
      ? html`<p class="empty">No invocations on this plan in this window.</p>`
      : html`<table class="data figures"><tbody>
        <tr><th>Invocations</th><td class="num">${fmtInt(s.invocations)}</td><th>Active tenants</th><td class="num">${fmtInt(s.activeTenants)}</td></tr>
        <tr><th>CPU p50 / p95 / p99</th><td class="num" colspan="3">${fmtMs(s.cpuMsP50)} / ${fmtMs(s.cpuMsP95)} / ${fmtMs(s.cpuMsP99)}</td></tr>
        <tr><th>Violation rate</th><td class="num">${fmtPct(s.violationRate)}</td><th>CPU / subrequest</th><td class="num">${fmtInt(s.cpuViolations)} / ${fmtInt(s.subrequestViolations)}</td></tr>
      </tbody></table>
      ${histogramFigure(p)}`;
  // The what-if of this plan's card: a proposed CPU and/or subrequest limit, answered in the What if section.
  const whatIf = html`<form method="get" action="/plans#whatif" class="row">
        ${Object.entries(timeParams(d.window)).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`)}
        <input type="hidden" name="whatif" value="${p.plan}">
        <label>Proposed CPU ms <input name="cpuMs" inputmode="numeric" size="7" value="${d.whatIf?.plan === p.plan ? (d.whatIf.cpu?.proposedMs ?? "") : ""}"></label>
        <label>Proposed subrequests <input name="subRequests" inputmode="numeric" size="7" value="${d.whatIf?.plan === p.plan ? (d.whatIf.subRequests?.proposed ?? "") : ""}"></label>
        <button type="submit">What if</button></form>`;
  return html`<section class="plan" id="plan-${p.plan}">
  <h3>${p.plan}${p.plan === d.defaultPlan ? " (default)" : ""}</h3>
  <p>Limits: <b>${limits === null ? "none" : `${limits.cpuMs} ms CPU, ${limits.subRequests} subrequests`}</b> <small>(${source})</small>${outside}</p>
  ${figures}${whatIf}${edit}
  ${planMoney(p.plan, p.limits?.price, d.margin === null ? undefined : (d.margin.plans.find((g) => g.key === p.plan) ?? null), principal, rejectedPrice?.plan === p.plan ? rejectedPrice : null)}
</section>`;
}

export function newlyFailingTable(rows: NonNullable<WhatIf["cpu"]>["newlyFailing"]): Html {
  if (rows.length === 0) return html`<p data-figure="whatif-new-tenants">No tenant would newly fail.</p>`;
  const body = rows.map((r) => html`<tr><td><a href="/tenants/${r.tenant}">${r.tenant}</a></td><td class="num">${fmtInt(r.newFailures)}</td><td class="num">${fmtPct(r.share)}</td></tr>`);
  return html`<table class="data" id="whatif-tenants" data-figure="whatif-new-tenants"><caption>Tenants that would newly fail (${rows.length})</caption>
<thead><tr><th>Tenant</th><th>New failures</th><th>Share of its traffic</th></tr></thead><tbody>${body}</tbody></table>`;
}

function whatIfSection(d: PlansData): Html {
  const w = d.whatIf;
  const options = d.plans.map((p) => html`<option value="${p.plan}"${w?.plan === p.plan ? " selected" : ""}>${p.plan}</option>`);
  let result: Html = html``;
  if (w !== null) {
    const cpu =
      w.cpu === null
        ? html``
        : html`<p data-figure="whatif-cpu">At <b>${w.cpu.proposedMs} ms</b> CPU: <b>${fmtInt(w.cpu.newFailures)}</b> new failures (<b>${fmtPct(w.cpu.newShare)}</b> of ${fmtInt(w.invocations)} invocations),
        on top of <b>${fmtInt(w.cpu.alreadyFailing)}</b> CPU failures already happening at today's limit. In all ${fmtInt(w.cpu.invocationsOver)} invocations (${fmtPct(w.cpu.invocationShare)})
        and ${w.cpu.tenantsOver} of ${w.tenants} tenants (${fmtPct(w.cpu.tenantShare)}) would have exceeded it.</p>
        ${newlyFailingTable(w.cpu.newlyFailing)}`;
    const sub =
      w.subRequests === null
        ? html``
        : html`<p data-figure="whatif-sub">At <b>${w.subRequests.proposed}</b> subrequests: at least <b>${fmtPct(w.subRequests.atLeastShare)}</b> of invocations (${fmtInt(w.subRequests.atLeastInvocations)}) would have exceeded it.</p>
        <p class="note">${w.subRequests.note}</p>`;
    result = html`<div class="whatif">${cpu}${sub}</div>`;
  }
  return html`<h2 id="whatif">What if</h2>
<form method="get" action="/plans" class="row">
  ${Object.entries(timeParams(d.window)).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`)}
  <label>Plan <select name="whatif">${options}</select></label>
  <label>CPU ms <input name="cpuMs" inputmode="numeric" size="7" value="${w?.cpu?.proposedMs ?? ""}"></label>
  <label>Subrequests <input name="subRequests" inputmode="numeric" size="7" value="${w?.subRequests?.proposed ?? ""}"></label>
  <button type="submit">Compute</button>
</form>${result}`;
}

function assignSection(d: PlansData, principal: Principal): Html {
  if (principal.role !== "operator") return html``;
  const options = d.plans.map((p) => html`<option value="${p.plan}">${p.plan}</option>`);
  return html`<h2>Assign a tenant</h2>
<form method="post" action="/assignments" class="row">${csrfField(principal)}
  <label>Tenant <input name="tenant" value="${principal.tenant ?? ""}" size="20"></label>
  <label>Plan <select name="plan">${options}</select></label>
  <label><input type="checkbox" name="suspended" value="true"> suspended</label>
  <button type="submit">Assign</button>
</form>`;
}

function oldCell(e: AuditEntry): Html {
  const where = e.oldSource === "builtin" ? " (built-in, no KV record)" : e.oldSource === "default" ? " (default, no KV record)" : "";
  const outside = e.outside ? html` <b class="bad">changed outside tenantscope</b>` : html``;
  return html`<code>${e.old ?? "(none)"}</code>${where}${outside}`;
}

function deletedNote(deleted: readonly AuditEntry[]): Html {
  if (deleted.length === 0) return html``;
  const items = deleted.map((e) => html`<li><code>${e.key}</code>: last written by ${e.actor} via ${e.via} at ${e.at}, now gone</li>`);
  return html`<div class="notice" role="status" id="deleted-outside"><b class="bad">Deleted outside tenantscope</b> (a direct KV delete, so the audit log has no entry for it):<ul>${items}</ul></div>`;
}

function auditSection(entries: AuditEntry[], deleted: readonly AuditEntry[]): Html {
  const rows = entries.map(
    (e) => html`<tr><td class="time">${e.at}</td><td>${e.actor}</td><td>${e.via}</td><td><code>${e.key}</code></td><td>${oldCell(e)}</td><td><code>${e.new ?? "(deleted)"}</code></td></tr>`,
  );
  const empty = entries.length === 0 ? html`<tr><td colspan="6" class="empty">No changes yet.</td></tr>` : html``;
  return html`<h2>Audit log</h2>
<p class="note">Every change made through the dashboard, the CLI or an automation, from the plans KV namespace. "Changed outside tenantscope": the value replaced was not the one tenantscope last wrote (a direct KV write).</p>
${deletedNote(deleted)}
<table class="data" id="audit"><thead><tr><th>When (UTC)</th><th>Who</th><th>Via</th><th>Key</th><th>Old</th><th>New</th></tr></thead><tbody>${rows}${empty}</tbody></table>`;
}

function histogramFigure(p: PlanView): Html {
  const spec = histogramChart(p, null);
  if (spec === null || p.stats === null) return html``;
  const limit = p.limits === null ? "" : ` The plan's limit, ${p.limits.cpuMs} ms, is drawn as a line.`;
  const summary = `${barsSummary(spec.labels.map((l) => `${l} ms`), spec.datasets[0]?.data ?? [], "invocations", 3)} CPU p95 ${fmtMs(p.stats.cpuMsP95)}.${limit}`;
  return chartFigure(spec, `CPU time histogram of plan ${p.plan}`, summary, "small");
}

function histogramChart(p: PlanView, proposed: number | null): ChartSpec | null {
  if (p.stats === null) return null;
  const markers: NonNullable<ChartSpec["markers"]> = [];
  if (p.limits !== null) markers.push({ ...limitPosition(p.limits.cpuMs), label: `limit ${p.limits.cpuMs} ms` });
  if (proposed !== null) markers.push({ ...limitPosition(proposed), label: `proposed ${proposed} ms` });
  // Cut the empty bins past the data and the markers: 18 bins up to 300 s would squeeze a 10 ms plan.
  const lastData = p.stats.histogram.reduce((last, n, i) => (n > 0 ? i : last), 0);
  const end = Math.min(binLabels().length, Math.max(lastData, ...markers.map((m) => m.bin)) + 2);
  const data = p.stats.histogram.slice(0, end);
  return { id: `hist-${p.plan}`, type: "bar", labels: binLabels().slice(0, end), datasets: [{ label: "invocations", data }], markers, yTitle: "invocations" };
}

export interface PlansExtras {
  asOfMs: number;
  empty: EmptyState | null;
  rejected?: RejectedLimits;
  rejectedPrice?: RejectedPrice;
}

export function plansPage(d: PlansData, principal: Principal, notice: string | null, x: PlansExtras): Html {
  const other =
    d.otherPlans.length === 0
      ? html``
      : html`<p class="note">Also in the data: ${d.otherPlans.map((o) => `${o.plan} (${fmtInt(o.invocations)} invocations)`).join(", ")}: points of several plans folded together, or plans that no longer exist.</p>`;
  const body = html`${notice === null ? html`` : html`<div class="notice" role="status">${notice}</div>`}
${timeControl({ path: "/plans", window: d.window, keep: {}, asOfMs: x.asOfMs, bucketPicker: false })}
<p class="note">${fmtInt(d.activeTenants)} active tenants in the window, each counted once, under the plan of its latest invocation (a tenant that changed plan counts under its new one). CPU bins are in ms; the solid line is the plan's limit, a dashed one the what-if's proposal.</p>
<div class="plans">${d.plans.map((p) => planCard(p, d, principal, x.rejected ?? null, x.rejectedPrice ?? null))}</div>
${d.margin === null ? "" : html`<p class="note" id="plan-margin-note">Prices and this month's margins: revenue is each tenant's fee under the plan of its latest invocation this month, plus overage (details on <a href="/billing#margin">Billing</a>). ${ESTIMATE_NOTE}</p>`}
${other}
${whatIfSection(d)}
${assignSection(d, principal)}
${auditSection(d.audit, d.deleted)}`;
  const proposedFor = (plan: string): number | null => (d.whatIf?.plan === plan ? (d.whatIf.cpu?.proposedMs ?? null) : null);
  const charts = d.plans.map((p) => histogramChart(p, proposedFor(p.plan))).filter((c): c is ChartSpec => c !== null);
  return layout({ title: "Plans", principal, active: "plans", body, charts, empty: x.empty });
}
