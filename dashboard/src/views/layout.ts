/**
 * The page frame: navigation for the reader's role, the chart data as inert JSON
 * (read by /static/app.js; no inline script, so the CSP can forbid them), and the
 * scripts from the Worker's assets. Every interpolation is escaped by `html`.
 */
import { html, raw } from "hono/html";
import { ROLE_PAGES, type Page, type Principal } from "../auth/users.ts";
import { CSRF_FIELD } from "../auth/middleware.ts";

export type Html = ReturnType<typeof html>;

/** What app.js turns into a Chart (public/static/app.js reads exactly this shape). */
export interface ChartSpec {
  id: string;
  type: "bar" | "line" | "doughnut";
  labels: string[];
  datasets: { label: string; data: number[]; axis?: "y" | "y2"; type?: "line" | "bar" }[];
  stacked?: boolean;
  /** Colour datasets by outcome name (ok green, errors warm) rather than by position. */
  palette?: "outcome" | "series";
  /** Vertical lines on a category axis: at `bin + fraction` of the way through the bins. */
  markers?: { bin: number; fraction: number; label: string }[];
  yTitle?: string;
  y2Title?: string;
}

const PAGES: { page: Page; href: string; label: string }[] = [
  { page: "overview", href: "/", label: "Overview" },
  { page: "errors", href: "/errors", label: "Errors" },
  { page: "billing", href: "/billing", label: "Billing" },
  { page: "plans", href: "/plans", label: "Plans" },
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

function nav(principal: Principal | null, active: Page | undefined): Html {
  if (principal === null) return html``;
  const allowed = ROLE_PAGES[principal.role];
  const links = PAGES.filter((p) => allowed.includes(p.page)).map(
    (p) => html`<a href="${p.href}"${p.page === active ? raw(' aria-current="page"') : ""}>${p.label}</a>`,
  );
  const scope = principal.tenant === null ? "" : ` · tenant ${principal.tenant}`;
  const logout =
    principal.via === "session"
      ? html`<form method="post" action="/logout" class="inline">${csrfField(principal)}<button type="submit">Log out</button></form>`
      : html``;
  return html`<nav><strong class="brand">tenantscope</strong>${links}<span class="who">${principal.user} (${principal.role}${scope})</span>${logout}</nav>`;
}

export function layout(p: { title: string; principal: Principal | null; active?: Page; body: Html; charts?: ChartSpec[] }): Html {
  const charts = p.charts ?? [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · tenantscope</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/chart.umd.min.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
${nav(p.principal, p.active)}
<main>
<h1>${p.title}</h1>
${p.body}
</main>
<script type="application/json" id="chart-data">${raw(scriptJson(charts))}</script>
</body>
</html>`;
}

export function errorBox(message: string): Html {
  return html`<div class="error" role="alert">${message}</div>`;
}
