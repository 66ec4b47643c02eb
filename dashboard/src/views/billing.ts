/** Billing page: period picker, per-tenant usage with totals, CSV and JSON downloads. */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { Billing } from "../queries/billing.ts";
import { qs } from "../routes/shared.ts";
import { fmtInt, fmtMs } from "./format.ts";
import { layout, type Html } from "./layout.ts";

export function billingPage(b: Billing, principal: Principal, query: Record<string, string | undefined>): Html {
  const keep = { month: query.month, from: query.from, to: query.to };
  const rows = b.rows.map(
    (r) => html`<tr><td>${r.tenant}</td><td class="num">${fmtInt(r.invocations)}</td><td class="num">${fmtMs(r.cpuMs)}</td><td class="num">${fmtMs(r.wallMs)}</td></tr>`,
  );
  const body = html`
<form method="get" action="/billing" class="row">
  <label>Month <input type="month" name="month" value="${query.month ?? ""}"></label>
  <button type="submit">Show</button>
  <span class="note">or a range: <input type="date" name="from" value="${query.from ?? ""}" aria-label="from"> – <input type="date" name="to" value="${query.to ?? ""}" aria-label="to"></span>
</form>
<p>Period <b data-figure="period">${b.period.from.slice(0, 10)}</b> to <b>${b.period.to.slice(0, 10)}</b> (UTC, end excluded).
  Download: <a href="/api/billing.csv${qs(keep)}" download>CSV</a> · <a href="/api/billing${qs(keep)}">JSON</a></p>
<div class="chart"><canvas id="billing-invocations" aria-label="Invocations per tenant"></canvas></div>
<table class="data" id="billing"><thead><tr><th>Tenant</th><th>Invocations</th><th>CPU</th><th>Wall time</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th>Total</th><th class="num" data-figure="total-invocations">${fmtInt(b.totals.invocations)}</th><th class="num">${fmtMs(b.totals.cpuMs)}</th><th class="num">${fmtMs(b.totals.wallMs)}</th></tr></tfoot></table>
<p class="note">Invocations are corrected for Analytics Engine sampling and for folded points, so they equal the invocations that ran.
<code>~overflow</code> holds invocations of several tenants that a busy tail batch could not attribute one by one.</p>`;
  return layout({
    title: principal.tenant === null ? "Billing" : `Billing: ${principal.tenant}`,
    principal,
    active: "billing",
    body,
    charts: [{ id: "billing-invocations", type: "bar", labels: b.rows.map((r) => r.tenant), datasets: [{ label: "invocations", data: b.rows.map((r) => r.invocations) }] }],
  });
}
