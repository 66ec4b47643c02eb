/**
 * Billing: the usage export (core/src/usage.ts, shared with `tenantscope usage export`)
 * for a period, per customer, tenant and plan in force, every figure sampling- and
 * fold-corrected, dispatcher answers left out. One SQL round trip. The totals are the
 * sum of the rows, so they equal the raw count of invocations stored (a point with
 * _sample_interval n and invocations k stands for n × k).
 */
import { usageExport, usageSql, type UsageExport, type UsageFilter, type UsagePeriod } from "@tenantscope/core/usage";
import type { SqlClient } from "@tenantscope/core/sql-client";

export type Billing = UsageExport;

export async function loadBilling(sql: SqlClient, period: UsagePeriod, filter: UsageFilter, nowMs: number): Promise<Billing> {
  const result = await sql.query(usageSql(period, filter));
  return usageExport(result.rows, period, filter, nowMs);
}
