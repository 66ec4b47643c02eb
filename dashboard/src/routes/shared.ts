/** What every page handler needs: the SQL client, the clock, and the reader's tenant scope. */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { Principal } from "../auth/users.ts";
import { sqlSettings } from "../config.ts";
import { forbidden } from "../errors.ts";
import { DATASET } from "../sql/build.ts";
import { SqlClient } from "@tenantscope/core/sql-client";
import type { EmptyState } from "../views/layout.ts";
import { parseWindow, type PresetKey, type TimeWindow } from "../time.ts";

export function sqlClient(c: Context<AppEnv>): SqlClient {
  const settings = sqlSettings(c.env);
  const opts = c.var.options;
  const stats = c.var.sqlStats;
  const onAnswer = (a: { ms: number; datasetMissing: boolean }): void => {
    stats.queries++;
    stats.ms += a.ms;
    if (a.datasetMissing) stats.datasetMissing = true;
  };
  return new SqlClient({ ...settings, ...opts.sql, onAnswer, ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }) });
}

export function nowMs(c: Context<AppEnv>): number {
  return (c.var.options.now ?? Date.now)();
}

/**
 * The tenant a request may see. A scoped reader gets their tenant, always, and a 403
 * for any other; everyone else gets what they asked for (null = all tenants).
 */
export function tenantScope(principal: Principal, requested: string | null): string | null {
  if (principal.tenant === null) return requested;
  if (requested !== null && requested !== principal.tenant) {
    throw forbidden(`You can only see tenant "${principal.tenant}".`);
  }
  return principal.tenant;
}

export type Window = TimeWindow;

/** The time parameters every page with a time window takes (see time.ts). */
export const TIME_PARAMS = ["range", "from", "to", "bucket"] as const;

/** The page's time window: a preset ending now, or absolute from/to; whole seconds, as AE stores time. */
export function windowOf(c: Context<AppEnv>, fallback: PresetKey = "24h"): Window {
  return parseWindow({ range: c.req.query("range"), from: c.req.query("from"), to: c.req.query("to"), bucket: c.req.query("bucket") }, nowMs(c), fallback);
}

/** A query string for links, keeping only set values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s === "" ? "" : `?${s}`;
}

/** The empty state, when some query of this request found the dataset never written to. */
export function emptyState(c: Context<AppEnv>): EmptyState | null {
  if (!c.var.sqlStats.datasetMissing) return null;
  const command = (c.env.DEMO_COMMAND ?? "").trim();
  return { dataset: DATASET, demoCommand: command === "" ? null : command };
}

/** What every JSON twin adds: whether the dataset is still empty (see emptyState). */
export function datasetEmpty(c: Context<AppEnv>): { datasetEmpty: boolean } {
  return { datasetEmpty: c.var.sqlStats.datasetMissing };
}
