/**
 * The page frame: navigation for the reader's role, the chart data as inert JSON
 * (read by /static/app.js; no inline script, so the CSP can forbid them), and the
 * scripts from the Worker's assets. Every interpolation is escaped by `html`.
 */
import { html, raw } from "hono/html";
import { ROLE_PAGES, type Page, type Principal } from "../auth/users.ts";
import { CSRF_FIELD } from "../auth/middleware.ts";
import type { ChartSpec } from "./chart.ts";

export type Html = ReturnType<typeof html>;

export type { ChartSpec } from "./chart.ts";

/**
 * "No data has been written to that dataset": a fresh deploy or stack before its first
 * invocation. Shown on every page with the next step; `demoCommand` is the exact
 * `pnpm demo` for the local stack's ports (var DEMO_COMMAND; empty in production).
 */
export interface EmptyState {
  dataset: string;
  demoCommand: string | null;
}

const PAGES: { page: Page; href: string; label: string }[] = [
  { page: "overview", href: "/", label: "Overview" },
  { page: "errors", href: "/errors", label: "Errors" },
  { page: "billing", href: "/billing", label: "Billing" },
  { page: "plans", href: "/plans", label: "Plans" },
  { page: "alerts", href: "/alerts", label: "Alerts" },
];

/** JSON that is safe inside <script type="application/json">: no "</script>", no HTML specials. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function csrfField(principal: Principal): Html {
  return principal.csrf === null ? html`` : html`<input type="hidden" name="${CSRF_FIELD}" value="${principal.csrf}">`;
}

/** Straight to a tenant's page, for readers who may see every tenant (GET /tenants?q= redirects). */
function jumpBox(principal: Principal): Html {
  if (principal.tenant !== null || !ROLE_PAGES[principal.role].includes("tenant")) return html``;
  return html`<form method="get" action="/tenants" role="search" class="jump" aria-label="Go to a tenant">
  <label for="jump-tenant">Tenant</label> <input id="jump-tenant" name="q" size="14" placeholder="name" autocomplete="off" required>
  <button type="submit">Go</button></form>`;
}

function nav(principal: Principal | null, active: Page | undefined): Html {
  const theme = html`<button type="button" id="theme-toggle" aria-pressed="false" hidden>Dark mode</button>`;
  if (principal === null) return html`<nav aria-label="Main"><strong class="brand">tenantscope</strong><span class="who"></span>${theme}</nav>`;
  const allowed = ROLE_PAGES[principal.role];
  // The Alerts page covers every tenant: a reader scoped to one sees its alerts on its tenant page.
  const links = PAGES.filter((p) => allowed.includes(p.page) && !(p.page === "alerts" && principal.tenant !== null)).map(
    (p) => html`<a href="${p.href}"${p.page === active ? raw(' aria-current="page"') : ""}>${p.label}</a>`,
  );
  const scope = principal.tenant === null ? "" : ` · tenant ${principal.tenant}`;
  const logout =
    principal.via === "session"
      ? html`<form method="post" action="/logout" class="inline">${csrfField(principal)}<button type="submit">Log out</button></form>`
      : html``;
  return html`<nav aria-label="Main"><strong class="brand">tenantscope</strong>${links}${jumpBox(principal)}<span class="who">${principal.user} (${principal.role}${scope})</span>${theme}${logout}</nav>`;
}

function emptyBox(empty: EmptyState | null | undefined): Html {
  if (empty === null || empty === undefined) return html``;
  const next =
    empty.demoCommand === null
      ? html`<p>Next step: attach the Tail Worker to your user Workers (<code>tail_consumers</code> in their upload metadata) and send them a request. The first points appear within a minute.</p>`
      : html`<p>Next step: send demo traffic to the local stack, then reload this page:</p><pre><code data-figure="demo-command">${empty.demoCommand}</code></pre>`;
  return html`<section class="empty-state" id="empty-state" aria-labelledby="empty-state-title">
  <h2 id="empty-state-title">No data yet</h2>
  <p>No data has been written to the <code>${empty.dataset}</code> dataset: no tenant has been invoked since this stack or deploy started. The figures below are zero, not broken.</p>
  ${next}
</section>`;
}

export interface LayoutProps {
  title: string;
  principal: Principal | null;
  active?: Page;
  body: Html;
  charts?: ChartSpec[];
  /** The dataset has never been written to: say so, with the next step. */
  empty?: EmptyState | null;
}

export function layout(p: LayoutProps): Html {
  const charts = p.charts ?? [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${p.title} · tenantscope</title>
<script src="/static/theme.js"></script>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/chart.umd.min.js" defer></script>
<script src="/static/chartjs-plugin-zoom.min.js" defer></script>
<script src="/static/charts.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>${nav(p.principal, p.active)}</header>
<main id="main" tabindex="-1">
<h1>${p.title}</h1>
${emptyBox(p.empty)}
${p.body}
</main>
<script type="application/json" id="chart-data">${raw(scriptJson(charts))}</script>
</body>
</html>`;
}

export function errorBox(message: string): Html {
  return html`<div class="error" role="alert">${message}</div>`;
}
