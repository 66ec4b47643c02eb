/**
 * The overview: requests and errors over time by outcome, and one page of the
 * per-tenant table (with the number of tenants, from the same query). Two SQL round
 * trips, run concurrently.
 */
import { isTenantName } from "@tenantscope/core/names";
import { INDEX_COLUMN, sampledCount, sampledCountIf, sampledQuantile, sampledSum } from "@tenantscope/core/schema";
import type { BucketKey, RangeKey } from "../params.ts";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { MIXED } from "@tenantscope/core/schema";
import { DATASET, errorCondition, lit, numLit, violationCondition, whereOf, type Scope } from "../sql/build.ts";
import { loadCustomers, type Customers } from "./customers.ts";
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
  /** Rows per page, and the page (1-based). */
  limit: number;
  page: number;
  /** Only tenants whose name contains this (validated: [a-z0-9-]). */
  search: string | null;
  /** Sorting by error rate ranks only tenants with at least this many requests first. */
  minRequests: number;
  /** "customer" adds the table of customers (one more round trip). */
  group: "tenant" | "customer";
}

export interface Overview {
  query: OverviewQuery;
  totals: { requests: number; errors: number; errorRate: number };
  series: Series;
  tenants: TenantRow[];
  /** Tenants in the window (matching the search): the table shows `limit` of them from `offset`. */
  tenantCount: number;
  offset: number;
  /** With group=customer only. */
  customers: Customers | null;
}

export interface TenantsPage {
  sort: SortKey;
  dir: "asc" | "desc";
  limit: number;
  offset: number;
  minRequests: number;
}

/** `position(index1, 'q') > 0`: the tenant name contains the search. */
export function searchCondition(search: string): string {
  return `position(${INDEX_COLUMN}, ${lit(search)}) > 0`;
}

export function tenantsSql(scope: Scope, p: TenantsPage): string {
  const direction = p.dir === "asc" ? "ASC" : "DESC";
  // 4 requests with 2 errors are not the worst tenant: rank those with enough volume first.
  const volume = p.sort === "error_rate" ? `requests >= ${numLit(p.minRequests)} DESC, ` : "";
  return [
    `SELECT ${INDEX_COLUMN} AS tenant,`,
    `  ${sampledCount()} AS requests,`,
    `  ${sampledCountIf(errorCondition())} AS errors,`,
    `  ${sampledCountIf(errorCondition())} / ${sampledCount()} AS error_rate,`,
    `  ${sampledCountIf(violationCondition())} AS violations,`,
    `  ${sampledSum("cpuMs")} AS cpu_ms_total,`,
    `  ${sampledQuantile(0.95, "cpuMs")} AS cpu_ms_p95`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    `GROUP BY tenant ORDER BY ${volume}${p.sort} ${direction}, tenant ASC LIMIT ${numLit(p.limit)} OFFSET ${numLit(p.offset)}`,
  ].join("\n");
}

export async function loadOverview(sql: SqlClient, q: OverviewQuery): Promise<Overview> {
  const scope: Scope = { from: q.from, to: q.to, tenant: q.tenant };
  const offset = (q.page - 1) * q.limit;
  const tableScope: Scope = q.search === null ? scope : { ...scope, extra: [searchCondition(q.search)] };
  const [series, table, customers] = await Promise.all([
    loadSeries(sql, scope, q.bucket),
    sql.query(tenantsSql(tableScope, { sort: q.sort, dir: q.dir, limit: q.limit, offset, minRequests: q.minRequests })),
    q.group === "customer" ? loadCustomers(sql, scope) : Promise.resolve(null),
  ]);
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
  // Without rows_before_limit_at_least (it is "at least"), the rows seen are the floor.
  const tenantCount = Math.max(table.rowsBeforeLimit ?? 0, offset + tenants.length);
  return { query: q, totals: { requests, errors, errorRate: requests === 0 ? 0 : errors / requests }, series, tenants, tenantCount, offset, customers };
}
