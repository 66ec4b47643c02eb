/**
 * Whether a tenant name stands for anything: invocations within Analytics Engine's
 * retention, or (checked by the caller, in KV) an assignment. Asked only when the
 * page's own window is empty and KV has no record, so a normal page pays nothing.
 */
import { INDEX_COLUMN, sampledCount } from "@tenantscope/core/schema";
import { type SqlClient, num } from "@tenantscope/core/sql-client";
import { DATASET, dateTime, lit } from "../sql/build.ts";

/** AE keeps data three months: older than this there is nothing to find. */
export const RETENTION_MS = 92 * 24 * 3600 * 1000;

export function seenSql(tenant: string, nowMs: number): string {
  return `SELECT ${sampledCount()} AS invocations FROM ${DATASET} WHERE timestamp >= ${dateTime(nowMs - RETENTION_MS)} AND ${INDEX_COLUMN} = ${lit(tenant)}`;
}

export async function seenRecently(sql: SqlClient, tenant: string, nowMs: number): Promise<boolean> {
  const result = await sql.query(seenSql(tenant, nowMs));
  return result.rows.some((row) => num(row, "invocations") > 0);
}
