/** Cost and margin on the Billing page (per customer and tenant, the account's bill) and per plan on the Plans page. */
import type { MarginGroup, MarginLine, MarginReport } from "@tenantscope/core/margin";
import type { PlanPrice } from "@tenantscope/core/plans";
import { html } from "hono/html";
import { fmtInt, fmtMs, fmtUsd } from "./format.ts";
import type { Html } from "./layout.ts";

const revenueText = (v: number | null): string => (v === null ? "—" : fmtUsd(v));

/** Margin with its sign in words too, so a loss is not told by colour alone. */
function marginCell(l: MarginLine): Html {
  if (l.margin === null) return html`<td class="num">—</td><td></td>`;
  return html`<td class="num" data-margin="${l.margin}">${fmtUsd(l.margin)}</td><td>${l.loss ? html`<b class="bad">loss</b>` : ""}</td>`;
}

const lineCells = (l: MarginLine): Html =>
  html`<td class="num">${fmtInt(l.invocations)}</td><td class="num">${fmtMs(l.cpuMs)}</td><td class="num">${fmtUsd(l.cost)}</td><td class="num">${revenueText(l.revenue)}</td>${marginCell(l)}`;
const lineHeads = html`<th scope="col" class="num">Invocations</th><th scope="col" class="num">CPU</th><th scope="col" class="num">Cost (est.)</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Margin</th><th scope="col"><span class="visually-hidden">Flag</span></th>`;

/** "$20.00 a month; 1,000,000 requests included, then $0.50 per million; …" */
export function priceText(p: PlanPrice | undefined): string {
  if (p === undefined) return "no price set";
  const parts = [`${fmtUsd(p.monthly)} a month`];
  if (p.perMillionRequests > 0) parts.push(`${fmtInt(p.includedRequests)} requests included, then ${fmtUsd(p.perMillionRequests)} per million`);
  if (p.perMillionCpuMs > 0) parts.push(`${fmtInt(p.includedCpuMs)} CPU ms included, then ${fmtUsd(p.perMillionCpuMs)} per million`);
  return parts.join("; ");
}

export const ESTIMATE_NOTE = html`The cost is an <b>estimate from sampled data</b>: Analytics Engine's sampling-corrected counts, priced at Cloudflare's Workers for Platforms overage rates.
It leaves out the dispatcher's own CPU time (Cloudflare bills CPU across the dispatcher and the user Worker, but only the user Worker's is recorded) and requests the dispatcher answered itself.`;

function groupRows(groups: readonly MarginGroup[], link: (key: string) => Html): Html[] {
  return groups.map((g) => html`<tr${g.loss ? html` class="loss"` : ""}><th scope="row">${link(g.key)}</th><td class="num">${fmtInt(g.tenants)}${g.unpriced > 0 ? html` <small>(${g.unpriced} without a price)</small>` : ""}</td>${lineCells(g)}</tr>`);
}

export function marginSection(m: MarginReport, customerLink: (customer: string) => Html): Html {
  const losses = m.tenants.filter((t) => t.loss);
  const tenantRows = [...m.tenants]
    .sort((a, b) => (a.margin ?? Infinity) - (b.margin ?? Infinity) || a.tenant.localeCompare(b.tenant))
    .map((t) => html`<tr${t.loss ? html` class="loss"` : ""}><td>${t.customer}</td><th scope="row"><a href="/tenants/${t.tenant}">${t.tenant}</a></th><td>${t.plan === "" ? "(none)" : t.plan}</td>${lineCells(t)}</tr>`);
  const a = m.account;
  const p = m.prices;
  const revenueNote = m.monthly
    ? html`Revenue is each tenant's monthly fee under the plan of its latest invocation in the month, plus that plan's overage; a plan without a price shows "—" (set one on the <a href="/plans">Plans</a> page or with <code>tenantscope plan set &lt;plan&gt; --price USD</code>).`
    : html`Plan fees are monthly, so revenue and margin are shown for calendar months only; this is a day range.`;
  return html`<h2 id="margin">Cost and margin</h2>
<p class="note">${ESTIMATE_NOTE} A tenant's cost prices all its requests and CPU ms at the overage rates, as if the account's included amounts were used up. ${revenueNote}</p>
<p data-figure="margin-losses">${losses.length === 0 ? "No tenant costs more than it brings in." : html`<b class="bad">${losses.length} of ${m.tenants.length} tenants cost more than they bring in.</b>`}</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Cost and margin per customer">
<table class="data" id="margin-customers"><thead><tr><th scope="col">Customer</th><th scope="col" class="num">Tenants</th>${lineHeads}</tr></thead>
<tbody>${groupRows(m.customers, customerLink)}</tbody>
<tfoot><tr><th>Total</th><td class="num">${fmtInt(m.tenants.length)}</td>${lineCells(m.totals)}</tr></tfoot></table>
</div>
<div class="table-wrap" tabindex="0" role="region" aria-label="Cost and margin per tenant, lowest margin first">
<table class="data" id="margin-tenants"><caption>Per tenant, lowest margin first</caption><thead><tr><th scope="col">Customer</th><th scope="col">Tenant</th><th scope="col">Plan</th>${lineHeads}</tr></thead>
<tbody>${tenantRows}</tbody></table>
</div>
<h3 id="account-cost-title">The account's estimated bill for this usage</h3>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="account-cost-title">
<table class="data figures" id="account-cost"><tbody>
<tr><th>Subscription</th><td class="num">${fmtUsd(a.subscription)}</td></tr>
<tr><th>Requests: ${fmtInt(a.requests)}, ${fmtInt(p.requests.includedPerMonth)} included, then ${fmtUsd(p.requests.perMillion)} per million</th><td class="num">${fmtUsd(a.requestsCost)}</td></tr>
<tr><th>CPU: ${fmtMs(a.cpuMs)}, ${fmtInt(p.cpuMs.includedPerMonth)} ms included, then ${fmtUsd(p.cpuMs.perMillion)} per million</th><td class="num">${fmtUsd(a.cpuCost)}</td></tr>
<tr><th>Scripts: at least ${fmtInt(a.scripts)} (those with traffic), ${fmtInt(p.scripts.included)} included, then ${fmtUsd(p.scripts.perScript)} each</th><td class="num">${fmtUsd(a.scriptsCost)}</td></tr>
<tr><th>Total</th><td class="num" data-figure="account-total">${fmtUsd(a.total)}</td></tr>
</tbody></table>
</div>
<p class="note">Rates: <a href="${p.source}">Cloudflare's Workers for Platforms pricing</a> as of ${p.asOf} (checked ${p.checked}), in ${p.currency}; change them with the dashboard's <code>WFP_PRICES</code> var.</p>`;
}
