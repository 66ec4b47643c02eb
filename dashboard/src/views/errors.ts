/**
 * Errors grouped (queries/errors.ts) as HTML: the section the tenant page and the
 * cross-tenant Errors page share, and the Errors page itself. Trends are inline SVG
 * drawn here (no script, nothing for the CSP to allow); every value is escaped by `html`.
 */
import { html } from "hono/html";
import type { ExcerptLine } from "@tenantscope/core/log-excerpt";
import type { Principal } from "../auth/users.ts";
import type { ErrorGroup, ErrorGroups } from "../queries/errors.ts";
import { qs } from "../routes/shared.ts";
import { fmtInt, fmtPct } from "./format.ts";
import { layout, type Html, type EmptyState } from "./layout.ts";
import type { TimeWindow } from "../time.ts";
import { statusLabel } from "./labels.ts";
import { timeControl, timeParams, type Keep } from "./time.ts";

export interface GroupLinks {
  /** The time window's query parameters, for links that keep it. */
  time: Keep;
  /** Workers Logs are configured: offer each group's full logs around its last occurrence. */
  logs: boolean;
}

const W = 90;
const H = 18;

/** Bars of the group's requests per trend interval, scaled to the group's own peak. */
export function sparkline(trend: readonly number[], bucketMs: number): Html {
  const peak = Math.max(0, ...trend);
  const step = trend.length === 0 ? W : W / trend.length;
  const bars = trend.map((n, i) => {
    const h = peak === 0 ? 0 : Math.max(1, Math.round((n / peak) * H));
    return html`<rect x="${(i * step).toFixed(1)}" y="${H - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}"></rect>`;
  });
  const label = `trend: ${trend.map((n) => fmtInt(n)).join(", ")} per ${Math.round(bucketMs / 60_000)} min`;
  return html`<svg class="trend" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${label}"><title>${label}</title>${bars}</svg>`;
}

export function logLines(logs: { lines: ExcerptLine[]; cut: number }): Html {
  if (logs.lines.length === 0 && logs.cut === 0) return html`<p class="note">No log lines.</p>`;
  const cut = logs.cut === 0 ? html`` : html`<span class="cut">[cut] ${fmtInt(logs.cut)} earlier line${logs.cut === 1 ? "" : "s"} not kept\n</span>`;
  const lines = logs.lines.map((l) => html`<span class="lvl lvl-${/^[a-z]{1,16}$/.test(l.level) ? l.level : "log"}">${l.level}</span> ${l.text}\n`);
  return html`<pre class="logs">${cut}${lines}</pre>`;
}


/** What a group is called: the exception, else the dispatcher's code, else the outcome. */
export function groupTitle(g: Pick<ErrorGroup, "name" | "code" | "outcome" | "dispatcher">): string {
  if (g.name !== "") return g.name;
  if (g.code !== "") return g.code;
  return g.outcome === "" ? "error" : g.outcome;
}

const shortVersion = (v: string): string => (v.length > 12 ? v.slice(0, 12) : v);

function groupRow(g: ErrorGroup, bucketMs: number, withTenant: boolean, links: GroupLinks): Html {
  const rowsHref = `/errors/${g.id}${qs({ tenant: g.tenant, ...links.time })}`;
  const at = Math.floor(Date.parse(`${g.lastSeen.replace(" ", "T")}Z`) / 1000);
  const logsLink = links.logs && g.linkable && !g.dispatcher ? html` · <a href="/tenants/${g.tenant}/logs${qs({ at })}">full logs</a>` : html``;
  const tenant = withTenant ? html`<td>${g.linkable ? html`<a href="/tenants/${g.tenant}">${g.tenant}</a>` : g.tenant}</td>` : html``;
  const version = g.version === "" ? html`<span class="note">–</span>` : html`<code title="${g.version}">${shortVersion(g.version)}</code>`;
  const started = g.startedWithVersion ? html` <b class="badge" title="first seen within minutes of this version's first request">new with this version</b>` : html``;
  const source = g.dispatcher ? html` <small class="note">(dispatcher: no tenant code ran)</small>` : html``;
  return html`<tr data-group="${g.id}">
  ${tenant}<td><b>${groupTitle(g)}</b>${source}<div class="msg">${g.messageKey === "" ? g.message : g.messageKey}</div>
  <details><summary>latest message and logs</summary><p class="msg">${g.message}</p>${logLines(g.logs)}<p><a href="${rowsHref}">raw rows</a>${logsLink}</p></details></td>
  <td>${version}${started}</td>
  <td class="num" data-figure="requests">${fmtInt(g.requests)}</td><td class="num">${fmtPct(g.share)}</td>
  <td class="time">${g.firstSeen}</td><td class="time">${g.lastSeen}</td>
  <td>${sparkline(g.trend, bucketMs)}</td>
  <td>${g.methods.map((m) => `${m.method || "–"} ${fmtInt(m.requests)}`).join(", ")}</td>
  <td>${g.statuses.map((s) => `${statusLabel(s.status)} ${fmtInt(s.requests)}`).join(", ")}</td>
</tr>`;
}

export function errorGroupsTable(e: ErrorGroups, withTenant: boolean, links: GroupLinks): Html {
  const head = html`<tr>${withTenant ? html`<th>Tenant</th>` : html``}<th>Error</th><th>Version</th><th class="num">Requests</th><th class="num">Share</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Trend</th><th>Methods</th><th>Statuses</th></tr>`;
  const rows = e.groups.map((g) => groupRow(g, e.trendBucketMs, withTenant, links));
  const empty = rows.length === 0 ? html`<tr><td colspan="${withTenant ? 10 : 9}" class="empty">No errors in this range.</td></tr>` : html``;
  const partial = e.partial ? html`<p class="note">Only the largest groups are listed: the range holds more than the page shows. Narrow the range or pick a tenant.</p>` : html``;
  return html`${partial}<table class="data errors" id="error-groups"><thead>${head}</thead><tbody>${rows}${empty}</tbody></table>`;
}

/** The separated section on the tenant page. */
export function tenantErrorsSection(tenant: string, e: ErrorGroups, links: GroupLinks): Html {
  return html`<section id="errors" class="errors-section" aria-labelledby="errors-title">
<link rel="stylesheet" href="/static/errors.css">
<h2 id="errors-title">Errors, grouped</h2>
<p class="note">By exception, message (numbers, ids, hex, UUIDs and quoted values replaced) and script version, with the answers the dispatcher gave itself (unknown, suspended, invalid).
Requests are corrected for sampling; share is of this tenant's requests in the range.</p>
${errorGroupsTable(e, false, links)}
<p class="api">JSON: <a href="/api/errors${qs({ tenant, ...links.time })}">/api/errors${qs({ tenant, ...links.time })}</a></p>
</section>`;
}

export interface ErrorsPage {
  window: TimeWindow;
  asOfMs: number;
  tenant: string | null;
  errors: ErrorGroups;
  logs: boolean;
}

export function errorsPage(p: ErrorsPage, principal: Principal, empty: EmptyState | null = null): Html {
  const time = timeParams(p.window);
  const links: GroupLinks = { time, logs: p.logs };
  const body = html`<link rel="stylesheet" href="/static/errors.css">
${timeControl({ path: "/errors", window: p.window, keep: { tenant: p.tenant }, asOfMs: p.asOfMs })}
<p class="note">Every tenant's errors, grouped by exception, normalised message and script version, largest first, with the requests the dispatcher answered itself
(unknown tenants, suspended tenants, invalid names: <code>~invalid</code>, no tenant at all: <code>~unrouted</code>). Counts are corrected for sampling.</p>
${errorGroupsTable(p.errors, true, links)}
<p class="api">JSON: <a href="/api/errors${qs({ tenant: p.tenant, ...time })}">/api/errors${qs({ tenant: p.tenant, ...time })}</a></p>`;
  return layout({ title: p.tenant === null ? "Errors" : `Errors of ${p.tenant}`, principal, active: "errors", body, empty });
}
