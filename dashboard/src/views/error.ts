/** The error page: the message of a known error (never a stack), with the reader's navigation. */
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../app-env.ts";
import type { DashboardError } from "../errors.ts";
import { errorBox, layout } from "./layout.ts";

const TITLES: Partial<Record<DashboardError["code"], string>> = {
  bad_request: "Bad request",
  unauthorized: "Not signed in",
  forbidden: "Not allowed",
  csrf_failed: "Not allowed",
  not_found: "Not found",
  sql_failed: "Analytics unavailable",
  sql_bad_response: "Analytics unavailable",
  sql_rate_limited: "Analytics busy",
  storage_failed: "Storage unavailable",
  unknown_tenant: "Unknown tenant",
  namespace_failed: "Namespace unavailable",
  misconfigured: "Misconfigured",
};

export async function errorPage(c: Context<AppEnv>, error: DashboardError): Promise<Response> {
  const principal = c.get("principal") ?? null;
  const signIn = error.code === "unauthorized" ? html`<p><a href="/login">Sign in</a></p>` : html``;
  const res = await c.html(layout({ title: TITLES[error.code] ?? "Error", principal, body: html`${errorBox(error.message)}${signIn}` }), error.status);
  if (error.retryAfter !== undefined) res.headers.set("retry-after", String(error.retryAfter));
  return res;
}
