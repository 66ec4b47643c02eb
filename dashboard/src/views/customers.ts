/** The overview's table of customers (when grouped by customer), linked to their billing. */
import { html } from "hono/html";
import type { Customers } from "../queries/customers.ts";
import { qs } from "../routes/shared.ts";
import { fmtInt, fmtMs, fmtPct } from "./format.ts";
import type { Html } from "./layout.ts";

export function customersTable(c: Customers, linkBilling: boolean): Html {
  const rows = c.rows.map((r) => {
    const name = linkBilling ? html`<a href="/billing${qs({ customer: r.customer })}">${r.customer}</a>` : html`${r.customer}`;
    return html`<tr><th scope="row">${name}</th><td class="num">${fmtInt(r.tenants)}</td><td class="num">${fmtInt(r.requests)}</td><td class="num">${fmtPct(r.requests === 0 ? 0 : r.errors / r.requests)}</td><td class="num">${fmtInt(r.violations)}</td><td class="num">${fmtMs(r.cpuMsTotal)}</td></tr>`;
  });
  const cut = c.count > c.rows.length ? html` The ${fmtInt(c.rows.length)} busiest of ${fmtInt(c.count)} are shown.` : html``;
  return html`<h2 id="customers-title">Customers</h2>
<p class="note">A customer is the id of a tenant's <code>customer:</code> script tag; a tenant without one is its own customer.${cut}</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="customers-title">
<table class="data" id="customers"><thead><tr><th scope="col">Customer</th><th scope="col" class="num">Tenants</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Error rate</th><th scope="col" class="num">Violations</th><th scope="col" class="num">CPU ms total</th></tr></thead>
<tbody>${rows}</tbody></table>
</div>`;
}
