/**
 * One tenant, for support: usage over time, outcomes, the statuses its clients got,
 * violations with the limit in force, and its script versions. Two SQL round trips,
 * concurrent (the route adds the two of its error groups, queries/errors.ts); the
 * plan and suspension come from KV (kv.ts), read alongside.
 */
import { sampledCount, sampledRequests, sampledSum } from "@tenantscope/core/schema";
import type { BucketKey, RangeKey } from "../params.ts";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { DATASET, col, lit, whereOf, type Scope } from "../sql/build.ts";
import { loadSeries, type Series } from "./series.ts";

export interface Breakdown {
  outcomes: { outcome: string; invocations: number }[];
  /** What clients got, the dispatcher's own answers (403, 404…) included; 0 = no HTTP answer. */
  statuses: { status: number; requests: number }[];
  violations: { violation: string; cpuLimitMs: number; subrequestLimit: number; plan: string; invocations: number }[];
  /** `requests` = invocations + the dispatcher's own answers for this tenant. */
  totals: { invocations: number; requests: number; cpuMs: number; wallMs: number };
}

/** A script version seen in the range; `isNew` when it appeared after another was already running. */
export interface VersionSeen {
  version: string;
  firstSeen: string;
  lastSeen: string;
  invocations: number;
  isNew: boolean;
}

export interface TenantUsage {
  range: RangeKey;
  bucket: BucketKey;
  series: Series;
  breakdown: Breakdown;
  versions: VersionSeen[];
}

/**
 * The status the client got: `clientStatus`, or on points written before that column
 * existed (0 there, and never a dispatcher answer) the tenant's response status.
 */
export function clientStatusExpr(): string {
  return `if(${col("clientStatus")} = 0 AND ${col("pointKind")} != ${lit("dispatcher")}, ${col("status")}, ${col("clientStatus")})`;
}

export function breakdownSql(scope: Scope): string {
  return [
    `SELECT ${col("outcome")} AS outcome, ${clientStatusExpr()} AS status, ${col("violation")} AS violation,`,
    `  ${col("cpuLimitMs")} AS cpu_limit_ms, ${col("subrequestLimit")} AS subrequest_limit, ${col("plan")} AS plan, ${col("scriptVersion")} AS version,`,
    `  ${sampledCount()} AS invocations, ${sampledRequests()} AS requests, ${sampledSum("cpuMs")} AS cpu_ms, ${sampledSum("wallMs")} AS wall_ms,`,
    "  min(timestamp) AS first_seen, max(timestamp) AS last_seen",
    `FROM ${DATASET} ${whereOf({ ...scope, answers: true })}`,
    "GROUP BY outcome, status, violation, cpu_limit_ms, subrequest_limit, plan, version",
  ].join("\n");
}

function add<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** Versions by first appearance; every one after the first to appear is new in this range. */
export function versionsOf(rows: { version: string; first: string; last: string; invocations: number }[]): VersionSeen[] {
  const byVersion = new Map<string, { first: string; last: string; invocations: number }>();
  for (const r of rows) {
    if (r.version === "" || r.invocations === 0) continue;
    const seen = byVersion.get(r.version);
    byVersion.set(r.version, {
      first: seen === undefined || r.first < seen.first ? r.first : seen.first,
      last: seen === undefined || r.last > seen.last ? r.last : seen.last,
      invocations: (seen?.invocations ?? 0) + r.invocations,
    });
  }
  const list = [...byVersion].map(([version, v]) => ({ version, firstSeen: v.first, lastSeen: v.last, invocations: v.invocations }));
  list.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.version.localeCompare(b.version));
  return list.map((v, i) => ({ ...v, isNew: i > 0 }));
}

export async function loadTenantUsage(sql: SqlClient, tenant: string, q: { range: RangeKey; bucket: BucketKey; from: number; to: number }): Promise<TenantUsage> {
  const scope: Scope = { from: q.from, to: q.to, tenant };
  const [series, grouped] = await Promise.all([loadSeries(sql, scope, q.bucket), sql.query(breakdownSql(scope))]);
  const outcomes = new Map<string, number>();
  const statuses = new Map<number, number>();
  const violations = new Map<string, Breakdown["violations"][number]>();
  const totals = { invocations: 0, requests: 0, cpuMs: 0, wallMs: 0 };
  const versionRows: Parameters<typeof versionsOf>[0] = [];
  for (const row of grouped.rows) {
    const n = num(row, "invocations");
    const requests = num(row, "requests");
    add(statuses, num(row, "status"), requests);
    totals.requests += requests;
    versionRows.push({ version: str(row, "version"), first: str(row, "first_seen"), last: str(row, "last_seen"), invocations: n });
    // The dispatcher's answers count as requests only: they are no invocation, outcome or violation.
    if (n === 0) continue;
    add(outcomes, str(row, "outcome"), n);
    totals.invocations += n;
    totals.cpuMs += num(row, "cpu_ms");
    totals.wallMs += num(row, "wall_ms");
    const violation = str(row, "violation");
    if (violation !== "none" && violation !== "") {
      const v = { violation, cpuLimitMs: num(row, "cpu_limit_ms"), subrequestLimit: num(row, "subrequest_limit"), plan: str(row, "plan") };
      // Rows are split by outcome, status and version too; merge them per (violation, limits, plan).
      const key = JSON.stringify(v);
      const seen = violations.get(key);
      violations.set(key, { ...v, invocations: (seen?.invocations ?? 0) + n });
    }
  }
  const byCount = <K>(m: Map<K, number>): [K, number][] => [...m].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return {
    range: q.range,
    bucket: q.bucket,
    series,
    breakdown: {
      outcomes: byCount(outcomes).map(([outcome, invocations]) => ({ outcome, invocations })),
      statuses: byCount(statuses).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([status, requests]) => ({ status, requests })),
      violations: [...violations.values()].sort((a, b) => b.invocations - a.invocations),
      totals,
    },
    versions: versionsOf(versionRows),
  };
}
