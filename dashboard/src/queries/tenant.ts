/**
 * One tenant, for support: usage over time, outcomes and status codes, violations
 * with the limit in force, the latest exceptions. Three SQL round trips, concurrent;
 * the plan and suspension come from KV (kv.ts), read alongside.
 */
import { sampledCount, sampledSum } from "@tenantscope/core/schema";
import type { BucketKey, RangeKey } from "../params.ts";
import { type SqlClient, num, str } from "../sql/client.ts";
import { DATASET, col, lit, numLit, violationCondition, whereOf, type Scope } from "../sql/build.ts";
import { loadSeries, type Series } from "./series.ts";

export const LATEST_EVENTS = 25;

export interface Breakdown {
  outcomes: { outcome: string; invocations: number }[];
  statuses: { status: number; invocations: number }[];
  violations: { violation: string; cpuLimitMs: number; subrequestLimit: number; plan: string; invocations: number }[];
  totals: { invocations: number; cpuMs: number; wallMs: number };
}

export interface TenantEvent {
  time: string;
  outcome: string;
  violation: string;
  name: string;
  message: string;
  status: number;
  cpuMs: number;
  cpuLimitMs: number;
  subrequestLimit: number;
  /** How many invocations the point stands for (sampling and folding). */
  invocations: number;
}

export interface TenantUsage {
  range: RangeKey;
  bucket: BucketKey;
  series: Series;
  breakdown: Breakdown;
  events: TenantEvent[];
}

export function breakdownSql(scope: Scope): string {
  return [
    `SELECT ${col("outcome")} AS outcome, ${col("status")} AS status, ${col("violation")} AS violation,`,
    `  ${col("cpuLimitMs")} AS cpu_limit_ms, ${col("subrequestLimit")} AS subrequest_limit, ${col("plan")} AS plan,`,
    `  ${sampledCount()} AS invocations, ${sampledSum("cpuMs")} AS cpu_ms, ${sampledSum("wallMs")} AS wall_ms`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    "GROUP BY outcome, status, violation, cpu_limit_ms, subrequest_limit, plan",
  ].join("\n");
}

export function eventsSql(scope: Scope): string {
  const interesting = `(${col("exceptionName")} != ${lit("")} OR ${violationCondition()})`;
  return [
    `SELECT timestamp AS time, ${col("outcome")} AS outcome, ${col("violation")} AS violation,`,
    `  ${col("exceptionName")} AS name, ${col("exceptionMessage")} AS message, ${col("status")} AS status,`,
    `  ${col("cpuMs")} AS cpu_ms, ${col("cpuLimitMs")} AS cpu_limit_ms, ${col("subrequestLimit")} AS subrequest_limit,`,
    `  _sample_interval * ${col("invocations")} AS invocations`,
    `FROM ${DATASET} ${whereOf({ ...scope, extra: [interesting] })}`,
    `ORDER BY time DESC LIMIT ${numLit(LATEST_EVENTS)}`,
  ].join("\n");
}

function add<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export async function loadTenantUsage(sql: SqlClient, tenant: string, q: { range: RangeKey; bucket: BucketKey; from: number; to: number }): Promise<TenantUsage> {
  const scope: Scope = { from: q.from, to: q.to, tenant };
  const [series, grouped, latest] = await Promise.all([loadSeries(sql, scope, q.bucket), sql.query(breakdownSql(scope)), sql.query(eventsSql(scope))]);
  const outcomes = new Map<string, number>();
  const statuses = new Map<number, number>();
  const violations = new Map<string, Breakdown["violations"][number]>();
  const totals = { invocations: 0, cpuMs: 0, wallMs: 0 };
  for (const row of grouped.rows) {
    const n = num(row, "invocations");
    add(outcomes, str(row, "outcome"), n);
    add(statuses, num(row, "status"), n);
    totals.invocations += n;
    totals.cpuMs += num(row, "cpu_ms");
    totals.wallMs += num(row, "wall_ms");
    const violation = str(row, "violation");
    if (violation !== "none" && violation !== "") {
      const v = { violation, cpuLimitMs: num(row, "cpu_limit_ms"), subrequestLimit: num(row, "subrequest_limit"), plan: str(row, "plan") };
      // Rows are split by outcome and status too; merge them per (violation, limits, plan).
      const key = JSON.stringify(v);
      const seen = violations.get(key);
      violations.set(key, { ...v, invocations: (seen?.invocations ?? 0) + n });
    }
  }
  const byCount = <K>(m: Map<K, number>): [K, number][] => [...m].sort((a, b) => b[1] - a[1]);
  const events = latest.rows.map((row): TenantEvent => ({
    time: str(row, "time"),
    outcome: str(row, "outcome"),
    violation: str(row, "violation"),
    name: str(row, "name"),
    message: str(row, "message"),
    status: num(row, "status"),
    cpuMs: num(row, "cpu_ms"),
    cpuLimitMs: num(row, "cpu_limit_ms"),
    subrequestLimit: num(row, "subrequest_limit"),
    invocations: num(row, "invocations"),
  }));
  return {
    range: q.range,
    bucket: q.bucket,
    series,
    breakdown: {
      outcomes: byCount(outcomes).map(([outcome, invocations]) => ({ outcome, invocations })),
      statuses: byCount(statuses).map(([status, invocations]) => ({ status, invocations })),
      violations: [...violations.values()].sort((a, b) => b.invocations - a.invocations),
      totals,
    },
    events,
  };
}
