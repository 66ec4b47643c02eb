/**
 * Usage grouped by customer (core/src/customers.ts): the customer tag's id, or the
 * tenant itself when it has none. One SQL round trip, asked only when the overview is
 * grouped by customer. Sampling-corrected like every figure; dispatcher answers excluded.
 */
import { INDEX_COLUMN, col, sampledCount, sampledCountIf, sampledSum } from "@tenantscope/core/schema";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { DATASET, errorCondition, lit, numLit, violationCondition, whereOf, type Scope } from "../sql/build.ts";

/** More customers than this are cut, and the page says so. */
export const MAX_CUSTOMERS = 500;

export interface CustomerRow {
  customer: string;
  tenants: number;
  requests: number;
  errors: number;
  violations: number;
  cpuMsTotal: number;
}

export interface Customers {
  rows: CustomerRow[];
  /** Customers in the window, when more than MAX_CUSTOMERS were cut. */
  count: number;
}

export function customersSql(scope: Scope): string {
  return [
    `SELECT if(${col("customer")} = ${lit("")}, ${INDEX_COLUMN}, ${col("customer")}) AS customer,`,
    `  count(DISTINCT ${INDEX_COLUMN}) AS tenants, ${sampledCount()} AS requests,`,
    `  ${sampledCountIf(errorCondition())} AS errors, ${sampledCountIf(violationCondition())} AS violations,`,
    `  ${sampledSum("cpuMs")} AS cpu_ms_total`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    `GROUP BY customer ORDER BY requests DESC, customer ASC LIMIT ${numLit(MAX_CUSTOMERS)}`,
  ].join("\n");
}

export async function loadCustomers(sql: SqlClient, scope: Scope): Promise<Customers> {
  const result = await sql.query(customersSql(scope));
  const rows = result.rows.map((row): CustomerRow => ({
    customer: str(row, "customer"),
    tenants: num(row, "tenants"),
    requests: num(row, "requests"),
    errors: num(row, "errors"),
    violations: num(row, "violations"),
    cpuMsTotal: num(row, "cpu_ms_total"),
  }));
  return { rows, count: Math.max(result.rowsBeforeLimit ?? 0, rows.length) };
}
