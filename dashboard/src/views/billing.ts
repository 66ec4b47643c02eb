/** Billing page: period picker, per-tenant usage with totals, CSV and JSON downloads. */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { Billing } from "../queries/billing.ts";
import { qs } from "../routes/shared.ts";
import { barsSummary, chartFigure, type ChartSpec } from "./chart.ts";
import { fmtInt, fmtMs } from "./format.ts";
import { layout, type EmptyState, type Html } from "./layout.ts";
import { utcText } from "./time.ts";

export function billingPage(b: Billing, principal: Principal, query: Record<string, string | undefined>, x: { asOfMs: number; empty: EmptyState | null }): Html {
  const keep = { month: query.month, from: query.from, to: query.to };
  const rows = b.rows.map(
    (r) => html`<tr><th scope="row">${r.tenant}</th><td class="num">${fmtInt(r.invocations)}</td><td class="num">${fmtMs(r.cpuMs)}</td><td class="num">${fmtMs(r.wallMs)}</td></tr>`,
  );
  const chart: ChartSpec = {
    id: "billing-invocations",
    type: "bar",
    labels: b.rows.map((r) => r.tenant),
    datasets: [{ label: "invocations", data: b.rows.map((r) => r.invocations) }],
    xTitle: "tenant",
    yTitle: "invocations",
  };
  const body = html`
<form method="get" action="/billing" class="row">
  <label>Month <input type="month" name="month" value="${query.month ?? ""}"></label>
  <button type="submit">Show</button>
  <span class="note">or a range: <input type="date" name="from" value="${query.from ?? ""}" aria-label="from"> – <input type="date" name="to" value="${query.to ?? ""}" aria-label="to"></span>
</form>
<p>Period <b data-figure="period">${b.period.from.slice(0, 10)}</b> to <b>${b.period.to.slice(0, 10)}</b> (UTC, end excluded); data as of <time data-figure="as-of">${utcText(x.asOfMs)}</time>.
  Download: <a href="/api/billing.csv${qs(keep)}" download>CSV</a> · <a href="/api/billing${qs(keep)}">JSON</a></p>
${chartFigure(chart, "Invocations per tenant in the period", barsSummary(chart.labels, chart.datasets[0]?.data ?? [], "invocations"))}
<div class="table-wrap" tabindex="0" role="region" aria-label="Usage per tenant">
<table class="data" id="billing"><thead><tr><th scope="col">Tenant</th><th scope="col" class="num">Invocations</th><th scope="col" class="num">CPU</th><th scope="col" class="num">Wall time</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th>Total</th><th class="num" data-figure="total-invocations">${fmtInt(b.totals.invocations)}</th><th class="num">${fmtMs(b.totals.cpuMs)}</th><th class="num">${fmtMs(b.totals.wallMs)}</th></tr></tfoot></table>
</div>
<p class="note">Invocations are corrected for Analytics Engine sampling and for folded points, so they equal the invocations that ran.
<code>~overflow</code> holds invocations of several tenants that a busy tail batch could not attribute one by one.</p>`;
  return layout({
    title: principal.tenant === null ? "Billing" : `Billing: ${principal.tenant}`,
    principal,
    active: "billing",
    body,
    charts: [chart],
    empty: x.empty,
  });
}
