/**
 * Requests over time, stacked by outcome: the overview's chart and the tenant's
 * usage chart share this query (with the tenant filter for the latter).
 */
import { sampledCount, sampledSum } from "@tenantscope/core/schema";
import type { BucketKey } from "../params.ts";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { DATASET, bucketExpr, bucketKeyOf, bucketStarts, col, normalizeBucketKey, whereOf, type Scope } from "../sql/build.ts";

export interface Series {
  /** Bucket starts, 'YYYY-MM-DD hh:mm:ss' UTC, every bucket of the range (empty ones too). */
  buckets: string[];
  /** Invocations per bucket for each outcome, outcomes by total descending. */
  outcomes: { outcome: string; counts: number[]; total: number }[];
  /** CPU ms per bucket (all outcomes). */
  cpuMs: number[];
}

export function seriesSql(scope: Scope, bucket: BucketKey): string {
  return [
    `SELECT ${bucketExpr(bucket)} AS t, ${col("outcome")} AS outcome,`,
    `  ${sampledCount()} AS invocations, ${sampledSum("cpuMs")} AS cpu_ms`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    "GROUP BY t, outcome ORDER BY t",
  ].join("\n");
}

export async function loadSeries(sql: SqlClient, scope: Scope, bucket: BucketKey): Promise<Series> {
  const result = await sql.query(seriesSql(scope, bucket));
  const starts = bucketStarts(scope.from, scope.to, bucket).map(bucketKeyOf);
  const index = new Map(starts.map((k, i) => [k, i]));
  const byOutcome = new Map<string, number[]>();
  const cpuMs = starts.map(() => 0);
  for (const row of result.rows) {
    const i = index.get(normalizeBucketKey(str(row, "t")));
    // A point outside the window's buckets would be a bug in the window; skip, never misplace.
    if (i === undefined) continue;
    const outcome = str(row, "outcome");
    let counts = byOutcome.get(outcome);
    if (counts === undefined) {
      counts = starts.map(() => 0);
      byOutcome.set(outcome, counts);
    }
    counts[i] = (counts[i] ?? 0) + num(row, "invocations");
    cpuMs[i] = (cpuMs[i] ?? 0) + num(row, "cpu_ms");
  }
  const outcomes = [...byOutcome].map(([outcome, counts]) => ({ outcome, counts, total: counts.reduce((a, b) => a + b, 0) }));
  outcomes.sort((a, b) => b.total - a.total || a.outcome.localeCompare(b.outcome));
  return { buckets: starts, outcomes, cpuMs };
}
