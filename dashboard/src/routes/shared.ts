/** What every page handler needs: the SQL client, the clock, and the reader's tenant scope. */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { Principal } from "../auth/users.ts";
import { sqlSettings } from "../config.ts";
import { forbidden } from "../errors.ts";
import { parseBucket, parseRange, RANGES, type BucketKey, type RangeKey } from "../params.ts";
import { SqlClient } from "../sql/client.ts";

export function sqlClient(c: Context<AppEnv>): SqlClient {
  const settings = sqlSettings(c.env);
  const opts = c.var.options;
  return new SqlClient({ ...settings, ...opts.sql, ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }) });
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

export interface Window {
  range: RangeKey;
  bucket: BucketKey;
  from: number;
  to: number;
}

/** The time window of `range` (and `bucket`) ending now, whole seconds, as AE stores time. */
export function windowOf(c: Context<AppEnv>, fallback: RangeKey = "24h"): Window {
  const range = parseRange(c.req.query("range"), fallback);
  const bucket = parseBucket(c.req.query("bucket"), range);
  const to = Math.floor(nowMs(c) / 1000) * 1000 + 1000;
  return { range, bucket, from: to - RANGES[range].ms, to };
}

/** A query string for links, keeping only set values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s === "" ? "" : `?${s}`;
}
