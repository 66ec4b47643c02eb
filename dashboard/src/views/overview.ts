/** Overview page: time control, totals, requests by outcome over time, one page of the tenant table. */
import { html, raw } from "hono/html";
import type { Principal } from "../auth/users.ts";
import { mayOpen } from "../auth/users.ts";
import type { Overview, SortKey } from "../queries/overview.ts";
import { qs } from "../routes/shared.ts";
import { chartFigure, seriesChart, seriesSummary } from "./chart.ts";
import { customersTable } from "./customers.ts";
import { fmtInt, fmtMs, fmtPct } from "./format.ts";
import { layout, type EmptyState, type Html } from "./layout.ts";
import type { TimeWindow } from "../time.ts";
import { timeControl, timeParams, type Keep } from "./time.ts";

export { seriesChart } from "./chart.ts";

const COLUMNS: { key: SortKey; label: string; num: boolean }[] = [
  { key: "tenant", label: "Tenant", num: false },
  { key: "requests", label: "Requests", num: true },
  { key: "error_rate", label: "Error rate", num: true },
  { key: "violations", label: "Violations", num: true },
  { key: "cpu_ms_total", label: "CPU ms total", num: true },
  { key: "cpu_ms_p95", label: "p95 CPU", num: true },
];

export interface OverviewExtras {
  window: TimeWindow;
  asOfMs: number;
  empty: EmptyState | null;
  defaultMinRequests: number;
}

function header(o: Overview, keep: Keep): Html[] {
  const q = o.query;
  return COLUMNS.map((col) => {
    const active = q.sort === col.key;
    const dir = active && q.dir === "desc" ? "asc" : "desc";
    const sort = active ? (q.dir === "desc" ? "descending" : "ascending") : "none";
    const mark = active ? (q.dir === "desc" ? " ▼" : " ▲") : "";
    return html`<th scope="col" aria-sort="${sort}"${col.num ? raw(' class="num"') : ""}><a href="/${qs({ ...keep, sort: col.key, dir, page: null })}">${col.label}${mark}</a></th>`;
  });
}

function pager(o: Overview, keep: Keep): Html {
  const q = o.query;
  const first = o.tenants.length === 0 ? 0 : o.offset + 1;
  const last = o.offset + o.tenants.length;
  const pages = Math.max(1, Math.ceil(o.tenantCount / q.limit));
  const prev = q.page > 1 ? html`<a href="/${qs({ ...keep, page: q.page - 1 })}" rel="prev">← previous ${q.limit}</a>` : html``;
  const next = q.page < pages ? html`<a href="/${qs({ ...keep, page: q.page + 1 })}" rel="next">next ${q.limit} →</a>` : html``;
  const search = q.search === null ? "" : ` matching “${q.search}”`;
  return html`<p class="pager" data-figure="showing">Showing ${fmtInt(o.tenants.length)} of ${fmtInt(o.tenantCount)} tenants${search}${first === 0 ? "" : ` (${fmtInt(first)}–${fmtInt(last)}, page ${q.page} of ${pages})`}. ${prev} ${next}</p>`;
}

function searchForm(o: Overview, keep: Keep): Html {
  const q = o.query;
  const hidden = Object.entries({ ...keep, q: null, page: null })
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`);
  const clear = q.search === null ? html`` : html`<a href="/${qs({ ...keep, q: null, page: null })}">clear</a>`;
  return html`<form method="get" action="/" role="search" class="row" aria-label="Search tenants">${hidden}
  <label>Search tenants <input name="q" value="${q.search ?? ""}" size="18" autocomplete="off"></label>
  <button type="submit">Search</button> ${clear}
</form>`;
}

export function overviewPage(o: Overview, principal: Principal, x: OverviewExtras): Html {
  const q = o.query;
  const timeKeep = timeParams(x.window);
  const keep: Keep = { ...timeKeep, sort: q.sort, dir: q.dir, q: q.search, limit: q.limit === 100 ? null : q.limit, min: q.minRequests === x.defaultMinRequests ? null : q.minRequests, group: q.group === "tenant" ? null : q.group };
  const canOpenTenant = mayOpen(principal, "tenant");
  const rows = o.tenants.map((t) => {
    const name = t.linkable && canOpenTenant ? html`<a href="/tenants/${t.tenant}${qs(timeKeep)}">${t.tenant}</a>` : html`${t.tenant}`;
    const thin = q.sort === "error_rate" && t.requests < q.minRequests ? raw(' class="thin"') : "";
    return html`<tr${thin}><td>${name}</td><td class="num">${fmtInt(t.requests)}</td><td class="num">${fmtPct(t.errorRate)}</td><td class="num">${fmtInt(t.violations)}</td><td class="num">${fmtMs(t.cpuMsTotal)}</td><td class="num">${fmtMs(t.cpuMsP95)}</td></tr>`;
  });
  const empty = o.tenants.length === 0 ? html`<p class="empty">${q.search === null ? "No invocations in this window." : `No tenant matching “${q.search}” has invocations in this window.`}</p>` : html``;
  const volume =
    q.sort === "error_rate"
      ? html` Tenants with fewer than ${fmtInt(q.minRequests)} requests (greyed) are ranked after the others: their rate says little (<a href="/${qs({ ...keep, min: q.minRequests === 0 ? x.defaultMinRequests : 0, page: null })}">${q.minRequests === 0 ? `rank only those with ${x.defaultMinRequests}+ first` : "rank all alike"}</a>).`
      : html``;
  const chart = seriesChart("overview-series", o.series, q.bucket, false);
  const body = html`
${timeControl({ path: "/", window: x.window, keep: { sort: q.sort, dir: q.dir, q: q.search, group: q.group === "tenant" ? null : q.group }, asOfMs: x.asOfMs })}
<section class="cards" aria-label="Totals">
  <div class="card"><span>Requests</span><b data-figure="requests">${fmtInt(o.totals.requests)}</b></div>
  <div class="card"><span>Errors</span><b data-figure="errors">${fmtInt(o.totals.errors)}</b></div>
  <div class="card"><span>Error rate</span><b data-figure="error-rate">${fmtPct(o.totals.errorRate)}</b></div>
</section>
<h2>Requests by outcome</h2>
${chartFigure(chart, "Requests by outcome over time (UTC), stacked", seriesSummary(o.series, q.bucket))}
<p class="row" data-figure="group">Group: ${q.group === "tenant" ? html`<b>tenants</b> · <a href="/${qs({ ...keep, group: "customer", page: null })}">customers too</a>` : html`<a href="/${qs({ ...keep, group: null })}">tenants only</a> · <b>customers too</b>`}</p>
${o.customers === null ? "" : customersTable(o.customers, mayOpen(principal, "billing"))}
<h2 id="tenants-title">Tenants</h2>
${searchForm(o, keep)}
${pager(o, keep)}
<p class="note">Sorted by ${q.sort.replace(/_/g, " ")}. Errors are outcomes other than OK; every figure is corrected for sampling.${volume}</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="tenants-title">
<table class="data" id="tenants"><thead><tr>${header(o, keep)}</tr></thead><tbody>${rows}</tbody></table>
</div>
${empty}
<p class="api">JSON: <a href="/api/overview${qs(keep)}">/api/overview${qs(keep)}</a></p>`;
  return layout({ title: "Overview", principal, active: "overview", body, charts: [chart], empty: x.empty });
}
