/** Overview page: range picker, totals, requests by outcome over time, the tenant table. */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import { mayOpen } from "../auth/users.ts";
import { BUCKETS, RANGES } from "../params.ts";
import type { Overview, SortKey } from "../queries/overview.ts";
import type { Series } from "../queries/series.ts";
import { qs } from "../routes/shared.ts";
import { bucketLabel, fmtInt, fmtMs, fmtPct } from "./format.ts";
import { layout, type ChartSpec, type Html } from "./layout.ts";

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "tenant", label: "Tenant" },
  { key: "requests", label: "Requests" },
  { key: "error_rate", label: "Error rate" },
  { key: "violations", label: "Violations" },
  { key: "cpu_ms_total", label: "CPU ms total" },
  { key: "cpu_ms_p95", label: "p95 CPU" },
];

export function rangePicker(path: string, current: string, keep: Record<string, string | number | null>): Html {
  const links = Object.keys(RANGES).map((r) =>
    r === current ? html`<strong>${r}</strong>` : html`<a href="${path}${qs({ ...keep, range: r })}">${r}</a>`,
  );
  return html`<p class="picker">Range: ${links}</p>`;
}

export function seriesChart(id: string, series: Series, bucketMs: number, withCpu: boolean): ChartSpec {
  const datasets: ChartSpec["datasets"] = series.outcomes.map((o) => ({ label: o.outcome, data: o.counts }));
  if (withCpu) datasets.push({ label: "CPU ms", data: series.cpuMs, axis: "y2", type: "line" });
  return {
    id,
    type: "bar",
    labels: series.buckets.map((b) => bucketLabel(b, bucketMs)),
    datasets,
    stacked: true,
    palette: "outcome",
    yTitle: "invocations",
    ...(withCpu ? { y2Title: "CPU ms" } : {}),
  };
}

export function overviewPage(o: Overview, principal: Principal): Html {
  const q = o.query;
  const keep = { range: q.range, sort: q.sort, dir: q.dir };
  const header = COLUMNS.map((col) => {
    const dir = q.sort === col.key && q.dir === "desc" ? "asc" : "desc";
    const mark = q.sort === col.key ? (q.dir === "desc" ? " ▼" : " ▲") : "";
    return html`<th><a href="/${qs({ range: q.range, sort: col.key, dir })}">${col.label}${mark}</a></th>`;
  });
  const canOpenTenant = mayOpen(principal, "tenant");
  const rows = o.tenants.map((t) => {
    const name = t.linkable && canOpenTenant ? html`<a href="/tenants/${t.tenant}${qs({ range: q.range })}">${t.tenant}</a>` : html`${t.tenant}`;
    return html`<tr><td>${name}</td><td class="num">${fmtInt(t.requests)}</td><td class="num">${fmtPct(t.errorRate)}</td><td class="num">${fmtInt(t.violations)}</td><td class="num">${fmtMs(t.cpuMsTotal)}</td><td class="num">${fmtMs(t.cpuMsP95)}</td></tr>`;
  });
  const empty = o.tenants.length === 0 ? html`<p class="empty">No invocations in this range.</p>` : html``;
  const body = html`
${rangePicker("/", q.range, keep)}
<section class="cards">
  <div class="card"><span>Requests</span><b data-figure="requests">${fmtInt(o.totals.requests)}</b></div>
  <div class="card"><span>Errors</span><b data-figure="errors">${fmtInt(o.totals.errors)}</b></div>
  <div class="card"><span>Error rate</span><b data-figure="error-rate">${fmtPct(o.totals.errorRate)}</b></div>
</section>
<h2>Requests by outcome</h2>
<div class="chart"><canvas id="overview-series" aria-label="Requests by outcome over time"></canvas></div>
<h2>Tenants</h2>
<p class="note">Top ${q.limit} by ${q.sort.replace(/_/g, " ")}. Errors are outcomes other than <code>ok</code>; every figure is corrected for sampling.</p>
<table class="data" id="tenants"><thead><tr>${header}</tr></thead><tbody>${rows}</tbody></table>
${empty}
<p class="api">JSON: <a href="/api/overview${qs(keep)}">/api/overview${qs(keep)}</a></p>`;
  return layout({
    title: principal.tenant === null ? "Overview" : `Overview: ${principal.tenant}`,
    principal,
    active: "overview",
    body,
    charts: [seriesChart("overview-series", o.series, BUCKETS[q.bucket].ms, false)],
  });
}
