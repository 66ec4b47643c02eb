/**
 * Errors for support: GET /errors (every tenant, or `?tenant=`), the raw rows behind
 * one group (GET /errors/:group), and a tenant's full logs from Workers Logs (GET
 * /tenants/:tenant/logs?at=<unix seconds>); each with its JSON twin under /api.
 * A scoped reader sees only their tenant, in SQL and in the logs query.
 */
import { Hono, type Context } from "hono";
import { ERROR_GROUP_RE } from "@tenantscope/core/error-groups";
import { INVALID_TENANT, OVERFLOW_TENANT, UNROUTED_TENANT } from "@tenantscope/core/schema";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { DashboardError, badRequest } from "../errors.ts";
import { allowQuery, parseIntParam, parseTenant } from "../params.ts";
import { loadErrorGroups, loadErrorRows, loadTenantTotals } from "../queries/errors.ts";
import { queryTenantLogs, telemetrySettings } from "../telemetry/client.ts";
import { errorsPage, type ErrorsPage } from "../views/errors.ts";
import { logsPage, rowsPage, type LogsPage, type RowsPage } from "../views/error-rows.ts";
import { timeParams } from "../views/time.ts";
import { datasetEmpty, emptyState, nowMs, sqlClient, tenantScope, TIME_PARAMS, windowOf } from "./shared.ts";

/** Points of these "tenants" are answers or folds, not a tenant; their rows can still be opened. */
const NON_TENANTS = new Set([INVALID_TENANT, UNROUTED_TENANT, OVERFLOW_TENANT]);

function parseGroupTenant(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  if (NON_TENANTS.has(value)) return value;
  return parseTenant(value);
}

async function errorsData(c: Context<AppEnv>): Promise<ErrorsPage> {
  const w = windowOf(c);
  const tenant = tenantScope(c.var.principal, parseGroupTenant(c.req.query("tenant")));
  const sql = sqlClient(c);
  const scope = { from: w.from, to: w.to, tenant };
  // Three round trips, concurrent: groups, trend, and per-tenant totals with version starts.
  const errors = await loadErrorGroups(sql, scope, loadTenantTotals(sql, scope));
  return { window: w, asOfMs: nowMs(c), tenant, errors, logs: telemetrySettings(c.env) !== null };
}

async function rowsData(c: Context<AppEnv>): Promise<RowsPage> {
  const group = c.req.param("group") ?? "";
  if (!ERROR_GROUP_RE.test(group)) throw badRequest("The error group must be 16 hexadecimal digits, as the Errors page links it.");
  const w = windowOf(c);
  const tenant = tenantScope(c.var.principal, parseGroupTenant(c.req.query("tenant")));
  const rows = await loadErrorRows(sqlClient(c), { from: w.from, to: w.to, tenant }, group);
  return { group, tenant, time: timeParams(w), rows, logs: telemetrySettings(c.env) !== null };
}

/** Around an invocation: from two minutes before its point was written to half a minute after. */
const LOGS_BEFORE_MS = 120_000;
const LOGS_AFTER_MS = 30_000;

async function logsData(c: Context<AppEnv>): Promise<LogsPage> {
  const tenant = parseTenant(c.req.param("tenant"));
  tenantScope(c.var.principal, tenant);
  const settings = telemetrySettings(c.env);
  if (settings === null) {
    throw new DashboardError("not_configured", "Workers Logs are not configured: set the secret CF_OBSERVABILITY_TOKEN to a token with Workers Observability Read (dashboard/README.md).");
  }
  const nowSeconds = Math.floor(nowMs(c) / 1000);
  const at = parseIntParam("at", c.req.query("at"), 1_000_000_000, nowSeconds + 3600) * 1000;
  const from = at - LOGS_BEFORE_MS;
  const to = at + LOGS_AFTER_MS;
  const events = await queryTenantLogs(settings, { tenant, from, to }, c.var.options.fetch ?? fetch);
  return { tenant, from: new Date(from).toISOString(), to: new Date(to).toISOString(), events };
}

export const errorRoutes = new Hono<AppEnv>()
  .use("/errors", requirePage("errors"), allowQuery(...TIME_PARAMS, "tenant"))
  .use("/errors/*", requirePage("errors"), allowQuery(...TIME_PARAMS, "tenant"))
  .use("/api/errors", requirePage("errors"), allowQuery(...TIME_PARAMS, "tenant"))
  .use("/api/errors/*", requirePage("errors"), allowQuery(...TIME_PARAMS, "tenant"))
  .use("/tenants/:tenant/logs", requirePage("tenant"), allowQuery("at"))
  .use("/api/tenants/:tenant/logs", requirePage("tenant"), allowQuery("at"))
  .get("/errors", async (c) => c.html(errorsPage(await errorsData(c), c.var.principal, emptyState(c))))
  .get("/api/errors", async (c) => c.json({ ...(await errorsData(c)), ...datasetEmpty(c) }))
  .get("/errors/:group", async (c) => c.html(rowsPage(await rowsData(c), c.var.principal, emptyState(c))))
  .get("/api/errors/:group", async (c) => c.json({ ...(await rowsData(c)), ...datasetEmpty(c) }))
  .get("/tenants/:tenant/logs", async (c) => c.html(logsPage(await logsData(c), c.var.principal)))
  .get("/api/tenants/:tenant/logs", async (c) => c.json(await logsData(c)));
