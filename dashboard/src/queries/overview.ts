/**
 * The overview: requests and errors over time by outcome, and the per-tenant table.
 * Two SQL round trips, run concurrently.
 */
import { isTenantName } from "@tenantscope/core/names";
import { INDEX_COLUMN, sampledCount, sampledCountIf, sampledQuantile, sampledSum } from "@tenantscope/core/schema";
import type { BucketKey, RangeKey } from "../params.ts";
import { type SqlClient, num, str } from "../sql/client.ts";
import { MIXED } from "@tenantscope/core/schema";
import { DATASET, errorCondition, numLit, violationCondition, whereOf, type Scope } from "../sql/build.ts";
import { loadSeries, type Series } from "./series.ts";

export const SORT_KEYS = ["tenant", "requests", "error_rate", "violations", "cpu_ms_total", "cpu_ms_p95"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface TenantRow {
  tenant: string;
  /** false for `~overflow`, which is not a tenant (tail-worker/SCHEMA.md). */
  linkable: boolean;
  requests: number;
  errors: number;
  errorRate: number;
  violations: number;
  cpuMsTotal: number;
  cpuMsP95: number;
}

export interface OverviewQuery {
  range: RangeKey;
  bucket: BucketKey;
  from: number;
  to: number;
  tenant: string | null;
  sort: SortKey;
  dir: "asc" | "desc";
  limit: number;
}

export interface Overview {
  query: OverviewQuery;
  totals: { requests: number; errors: number; errorRate: number };
  series: Series;
  tenants: TenantRow[];
}

export function tenantsSql(scope: Scope, sort: SortKey, dir: "asc" | "desc", limit: number): string {
  const direction = dir === "asc" ? "ASC" : "DESC";
  return [
    `SELECT ${INDEX_COLUMN} AS tenant,`,
    `  ${sampledCount()} AS requests,`,
    `  ${sampledCountIf(errorCondition())} AS errors,`,
    `  ${sampledCountIf(errorCondition())} / ${sampledCount()} AS error_rate,`,
    `  ${sampledCountIf(violationCondition())} AS violations,`,
    `  ${sampledSum("cpuMs")} AS cpu_ms_total,`,
    `  ${sampledQuantile(0.95, "cpuMs")} AS cpu_ms_p95`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    `GROUP BY tenant ORDER BY ${sort} ${direction}, tenant ASC LIMIT ${numLit(limit)}`,
  ].join("\n");
}

export async function loadOverview(sql: SqlClient, q: OverviewQuery): Promise<Overview> {
  const scope: Scope = { from: q.from, to: q.to, tenant: q.tenant };
  const [series, table] = await Promise.all([loadSeries(sql, scope, q.bucket), sql.query(tenantsSql(scope, q.sort, q.dir, q.limit))]);
  const tenants = table.rows.map((row): TenantRow => {
    const tenant = str(row, "tenant");
    return {
      tenant,
      linkable: isTenantName(tenant),
      requests: num(row, "requests"),
      errors: num(row, "errors"),
      errorRate: num(row, "error_rate"),
      violations: num(row, "violations"),
      cpuMsTotal: num(row, "cpu_ms_total"),
      cpuMsP95: num(row, "cpu_ms_p95"),
    };
  });
  const requests = series.outcomes.reduce((n, o) => n + o.total, 0);
  const errors = series.outcomes.filter((o) => o.outcome !== "ok" && o.outcome !== MIXED).reduce((n, o) => n + o.total, 0);
  return { query: q, totals: { requests, errors, errorRate: requests === 0 ? 0 : errors / requests }, series, tenants };
}
