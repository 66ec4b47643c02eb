/**
 * Billing: per tenant, for a period, the invocations, CPU ms and wall ms, every
 * figure sampling-corrected and fold-corrected. One SQL round trip. The totals are
 * the sum of the rows, so they equal the raw count of invocations stored (a point
 * with _sample_interval n and invocations k stands for n × k).
 */
import { INDEX_COLUMN, sampledCount, sampledSum } from "@tenantscope/core/schema";
import type { Period } from "../params.ts";
import { type SqlClient, num, str } from "../sql/client.ts";
import { DATASET, whereOf } from "../sql/build.ts";

export interface BillingRow {
  tenant: string;
  invocations: number;
  cpuMs: number;
  wallMs: number;
}

export interface Billing {
  period: { from: string; to: string; label: string };
  tenant: string | null;
  rows: BillingRow[];
  totals: Omit<BillingRow, "tenant">;
}

export function billingSql(period: Period, tenant: string | null): string {
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, ${sampledCount()} AS invocations,`,
    `  ${sampledSum("cpuMs")} AS cpu_ms, ${sampledSum("wallMs")} AS wall_ms`,
    `FROM ${DATASET} ${whereOf({ from: period.from, to: period.to, tenant })}`,
    "GROUP BY tenant ORDER BY tenant ASC",
  ].join("\n");
}

export async function loadBilling(sql: SqlClient, period: Period, tenant: string | null): Promise<Billing> {
  const result = await sql.query(billingSql(period, tenant));
  const rows = result.rows.map((row): BillingRow => ({
    tenant: str(row, "tenant"),
    invocations: num(row, "invocations"),
    cpuMs: num(row, "cpu_ms"),
    wallMs: num(row, "wall_ms"),
  }));
  const totals = rows.reduce((t, r) => ({ invocations: t.invocations + r.invocations, cpuMs: t.cpuMs + r.cpuMs, wallMs: t.wallMs + r.wallMs }), {
    invocations: 0,
    cpuMs: 0,
    wallMs: 0,
  });
  return {
    period: { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), label: period.label },
    tenant,
    rows,
    totals,
  };
}

/** A CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it. */
function csvCell(value: string | number): string {
  let s = typeof value === "number" ? String(Math.round(value * 1000) / 1000) : value;
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function billingCsv(b: Billing): string {
  const lines = [["tenant", "invocations", "cpu_ms", "wall_ms"].join(",")];
  for (const r of b.rows) lines.push([r.tenant, r.invocations, r.cpuMs, r.wallMs].map(csvCell).join(","));
  lines.push(["TOTAL", b.totals.invocations, b.totals.cpuMs, b.totals.wallMs].map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
