/** Billing page: month picker with previous/next, per-customer and per-tenant-and-plan usage with totals, CSV and JSON downloads. */
import { monthPeriod, periodRefusal, shiftMonth, usageFileName, type UsageFigures } from "@tenantscope/core/usage";
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { Billing } from "../queries/billing.ts";
import type { BillingQuery } from "../routes/billing.ts";
import { qs } from "../routes/shared.ts";
import { barsSummary, chartFigure, type ChartSpec } from "./chart.ts";
import { fmtInt, fmtMs } from "./format.ts";
import { layout, type EmptyState, type Html } from "./layout.ts";
import { marginSection } from "./margin.ts";
import { utcText } from "./time.ts";

const figures = (f: UsageFigures): Html =>
  html`<td class="num">${fmtInt(f.invocations)}</td><td class="num">${fmtInt(f.ok)}</td><td class="num">${fmtInt(f.failed)}</td><td class="num">${fmtMs(f.cpuMs)}</td><td class="num">${fmtMs(f.wallMs)}</td>`;
const figureHeads = html`<th scope="col" class="num">Invocations</th><th scope="col" class="num">OK</th><th scope="col" class="num">Failed</th><th scope="col" class="num">CPU</th><th scope="col" class="num">Wall time</th>`;

/** First – last invocation, UTC; the last one's date only when it differs. */
function seen(first: string, last: string): string {
  const t = (s: string): string => s.replace("T", " ").replace("Z", "");
  return `${t(first)} – ${first.slice(0, 10) === last.slice(0, 10) ? last.slice(11, 19) : t(last)}`;
}

/** A link to the month before or after, or a disabled label when AE cannot answer it. */
function monthLink(month: string, text: string, rel: "prev" | "next", customer: string | undefined, nowMs: number): Html {
  const period = monthPeriod(month);
  const refusal = period === null ? "not a month" : periodRefusal(period, nowMs);
  if (refusal !== null) return html`<span class="muted" aria-disabled="true" title="${refusal}">${text}</span>`;
  return html`<a href="/billing${qs({ month, customer })}" rel="${rel}" data-month="${month}">${text}</a>`;
}

export function billingPage(b: Billing, principal: Principal, query: BillingQuery, x: { asOfMs: number; empty: EmptyState | null }): Html {
  const keep = { month: query.month, from: query.from, to: query.to, customer: query.customer };
  const ranged = query.from !== undefined;
  const month = ranged ? b.period.start.slice(0, 7) : b.period.label;
  const customerRows = b.customers.map(
    (c) => html`<tr><th scope="row"><a href="/billing${qs({ ...keep, customer: c.customer })}">${c.customer}</a></th><td class="num">${c.tenants.length}</td>${figures(c)}</tr>`,
  );
  const rows = b.rows.map(
    (r) => html`<tr><td>${r.customer}</td><th scope="row">${r.tenant}</th><td>${r.plan === "" ? "(none)" : r.plan}</td>${figures(r)}<td>${seen(r.firstSeen, r.lastSeen)}</td></tr>`,
  );
  const chart: ChartSpec = {
    id: "billing-invocations",
    type: "bar",
    labels: b.customers.map((c) => c.customer),
    datasets: [{ label: "invocations", data: b.customers.map((c) => c.invocations) }],
    xTitle: "customer",
    yTitle: "invocations",
  };
  const body = html`
<form method="get" action="/billing" class="row">
  ${monthLink(shiftMonth(month, -1), "← previous month", "prev", query.customer, x.asOfMs)}
  <label>Month <input type="month" name="month" value="${ranged ? "" : month}"></label>
  <label>Customer <input type="text" name="customer" value="${query.customer ?? ""}" placeholder="all" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}" size="12"></label>
  <button type="submit">Show</button>
  ${monthLink(shiftMonth(month, 1), "next month →", "next", query.customer, x.asOfMs)}
  <span class="note">or a range: <input type="date" name="from" value="${query.from ?? ""}" aria-label="from"> – <input type="date" name="to" value="${query.to ?? ""}" aria-label="to"></span>
</form>
<p>Period <b data-figure="period">${b.period.start.slice(0, 10)}</b> to <b>${b.period.end.slice(0, 10)}</b> (UTC, end excluded)${b.period.complete ? "" : html`, <b>not over yet</b>`}${b.filter.customer === null ? "" : html`; customer <b data-figure="customer">${b.filter.customer}</b> (<a href="/billing${qs({ ...keep, customer: undefined })}">all customers</a>)`};
  dataset <code>${b.dataset}</code>; exported <time data-figure="exported-at">${utcText(Date.parse(b.exportedAt))}</time>.
  Download: <a href="/api/billing.csv${qs(keep)}" download="${usageFileName(b, "csv")}">CSV</a> · <a href="/api/billing${qs(keep)}" download="${usageFileName(b, "json")}">JSON</a></p>
${chartFigure(chart, "Invocations per customer in the period", barsSummary(chart.labels, chart.datasets[0]?.data ?? [], "invocations"))}
<h2>Per customer</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Usage per customer">
<table class="data" id="billing-customers"><thead><tr><th scope="col">Customer</th><th scope="col" class="num">Tenants</th>${figureHeads}</tr></thead>
<tbody>${customerRows}</tbody>
<tfoot><tr><th>Total</th><th class="num">${fmtInt(new Set(b.rows.map((r) => r.tenant)).size)}</th>${figures(b.totals)}</tr></tfoot></table>
</div>
<h2>Per tenant and plan</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Usage per tenant and plan">
<table class="data" id="billing"><thead><tr><th scope="col">Customer</th><th scope="col">Tenant</th><th scope="col">Plan</th>${figureHeads}<th scope="col">First – last invocation (UTC)</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th colspan="3">Total</th><td class="num" data-figure="total-invocations">${fmtInt(b.totals.invocations)}</td><td class="num">${fmtInt(b.totals.ok)}</td><td class="num">${fmtInt(b.totals.failed)}</td><td class="num">${fmtMs(b.totals.cpuMs)}</td><td class="num">${fmtMs(b.totals.wallMs)}</td><td></td></tr></tfoot></table>
</div>
${b.margin === null || b.rows.length === 0 ? "" : marginSection(b.margin, (customer) => html`<a href="/billing${qs({ ...keep, customer })}">${customer}</a>`)}
<p class="note">A plan change within the period splits a tenant's usage into one row per plan. A tenant whose script has no <code>customer:</code> tag is its own customer.
Invocations are corrected for Analytics Engine sampling and for folded points; over wide ranges Analytics Engine samples, so at scale the figures are estimates.
Requests the dispatcher answered itself are never counted. <code>~overflow</code> holds invocations of several tenants that a busy tail batch could not attribute one by one (its outcomes are mixed, so OK + failed is less than its invocations).</p>`;
  return layout({
    title: principal.tenant === null ? "Billing" : `Billing: ${principal.tenant}`,
    principal,
    active: "billing",
    body,
    charts: [chart],
    empty: x.empty,
  });
}
