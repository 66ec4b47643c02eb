/** The raw rows behind one error group, and a tenant's full logs from Workers Logs. */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { ErrorRow } from "../queries/errors.ts";
import type { LogEvent } from "../telemetry/client.ts";
import { qs } from "../routes/shared.ts";
import { fmtInt, fmtMs } from "./format.ts";
import { layout, type EmptyState } from "./layout.ts";
import type { Keep } from "./time.ts";
import { logLines } from "./errors.ts";
import { statusLabel } from "./labels.ts";

export interface RowsPage {
  group: string;
  tenant: string | null;
  /** The time window's query parameters, for links that keep it. */
  time: Keep;
  rows: ErrorRow[];
  logs: boolean;
}

export function rowsPage(p: RowsPage, principal: Principal, emptyDataset: EmptyState | null = null): ReturnType<typeof layout> {
  const rows = p.rows.map((r) => {
    const at = Math.floor(Date.parse(`${r.time.replace(" ", "T")}Z`) / 1000);
    const full = p.logs && !r.dispatcher && !r.tenant.startsWith("~") ? html`<a href="/tenants/${r.tenant}/logs${qs({ at })}">full logs</a>` : html``;
    return html`<tr><td class="time">${r.time}</td><td>${r.tenant}</td><td>${r.dispatcher ? "dispatcher" : r.outcome}</td><td>${r.code}</td><td>${r.name}</td>
<td class="msg">${r.message}<details><summary>log excerpt</summary>${logLines(r.logs)}</details>${full}</td>
<td><code>${r.version}</code></td><td>${r.method}</td><td class="num">${statusLabel(r.status)}</td><td class="num">${fmtMs(r.cpuMs)}</td><td class="num">${fmtInt(r.requests)}</td></tr>`;
  });
  const empty = rows.length === 0 ? html`<tr><td colspan="11" class="empty">No rows of this group in this range.</td></tr>` : html``;
  const back = p.tenant !== null && !p.tenant.startsWith("~") ? html`<a href="/tenants/${p.tenant}${qs({ ...p.time })}">back to ${p.tenant}</a>` : html`<a href="/errors${qs({ ...p.time })}">back to Errors</a>`;
  const body = html`<link rel="stylesheet" href="/static/errors.css">
<p>${back} · the latest ${fmtInt(p.rows.length)} points of group <code>${p.group}</code>, newest first. A point may stand for several requests (sampling, folding).</p>
<table class="data errors" id="error-rows"><thead><tr><th>Time (UTC)</th><th>Tenant</th><th>Outcome</th><th>Code</th><th>Exception</th><th>Message</th><th>Version</th><th>Method</th><th class="num">Status</th><th class="num">CPU</th><th class="num">Requests</th></tr></thead>
<tbody>${rows}${empty}</tbody></table>
<p class="api">JSON: <a href="/api/errors/${p.group}${qs({ tenant: p.tenant, ...p.time })}">/api/errors/${p.group}${qs({ tenant: p.tenant, ...p.time })}</a></p>`;
  return layout({ title: "Error rows", principal, active: "errors", body, empty: emptyDataset });
}

export interface LogsPage {
  tenant: string;
  from: string;
  to: string;
  events: LogEvent[];
}

export function logsPage(p: LogsPage, principal: Principal): ReturnType<typeof layout> {
  const lines = p.events.map((e) => html`<span class="time">${e.time}</span> <span class="lvl lvl-${/^[a-z]{1,16}$/.test(e.level) ? e.level : "log"}">${e.level}</span> ${e.message}\n`);
  const body = html`<link rel="stylesheet" href="/static/errors.css">
<p><a href="/tenants/${p.tenant}">back to ${p.tenant}</a> · Workers Logs of <code>${p.tenant}</code> from ${p.from} to ${p.to} (UTC), oldest first.</p>
${p.events.length === 0 ? html`<p class="empty">No log lines in this window.</p>` : html`<pre class="logs" id="tenant-logs">${lines}</pre>`}`;
  return layout({ title: `Logs of ${p.tenant}`, principal, active: "tenant", body });
}
