/**
 * Plans, for operators: per plan the CPU distribution (p50/p95/p99 and a histogram),
 * violation rate and active tenants, and the what-if of a proposed limit. Three SQL
 * round trips, concurrent. Plan limits themselves come from KV (kv.ts).
 */
import { INDEX_COLUMN, OVERFLOW_TENANT, sampledCount, sampledCountIf, sampledQuantile } from "@tenantscope/core/schema";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { DATASET, col, lit, numLit, violationCondition, whereOf, type Scope } from "../sql/build.ts";

/** Upper edges (ms) of the histogram's bins; the last bin is "≥ 300000". 1-2-5 steps read well on a log-like axis. */
export const CPU_BIN_EDGES = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000, 300000] as const;

export function binLabels(): string[] {
  const labels: string[] = [];
  let lower = 0;
  for (const upper of CPU_BIN_EDGES) {
    labels.push(`${lower}–${upper}`);
    lower = upper;
  }
  labels.push(`≥${lower}`);
  return labels;
}

/** Where a limit falls on the histogram: the bin holding it and the fraction across that bin. */
export function limitPosition(limitMs: number): { bin: number; fraction: number } {
  let lower = 0;
  for (let i = 0; i < CPU_BIN_EDGES.length; i++) {
    const upper = CPU_BIN_EDGES[i] ?? lower;
    if (limitMs < upper) return { bin: i, fraction: (limitMs - lower) / (upper - lower) };
    lower = upper;
  }
  return { bin: CPU_BIN_EDGES.length, fraction: 0 };
}

/** `if(cpu < 0.5, 0, if(cpu < 1, 1, …))`: the bin number, from constants only. */
function binExpr(): string {
  const cpu = col("cpuMs");
  return CPU_BIN_EDGES.reduceRight<string>((inner, edge, i) => `if(${cpu} < ${numLit(edge)}, ${i}, ${inner})`, numLit(CPU_BIN_EDGES.length));
}

export interface PlanStats {
  plan: string;
  invocations: number;
  violations: number;
  cpuViolations: number;
  subrequestViolations: number;
  violationRate: number;
  cpuMsP50: number;
  cpuMsP95: number;
  cpuMsP99: number;
  /**
   * Tenants whose latest invocation in the period ran on this plan: each tenant is
   * counted once, so the plans add up to the tenants that exist (activeByLatestPlan).
   */
  activeTenants: number;
  /** Invocations per bin of CPU_BIN_EDGES. */
  histogram: number[];
}

export interface WhatIfQuery {
  plan: string;
  cpuMs: number | null;
  subRequests: number | null;
}

export interface WhatIf {
  plan: string;
  invocations: number;
  tenants: number;
  cpu: {
    proposedMs: number;
    /** Over the proposal, counting those that already fail today. */
    invocationsOver: number;
    invocationShare: number;
    tenantsOver: number;
    tenantShare: number;
    /** CPU failures already happening at the limits in force (violation `cpu`). */
    alreadyFailing: number;
    /** Invocations over the proposal that do not fail today: what the change adds. */
    newFailures: number;
    newShare: number;
    /** The tenants that would newly fail, most new failures first, with the share of their own traffic on the plan. */
    newlyFailing: { tenant: string; newFailures: number; invocations: number; share: number }[];
  } | null;
  subRequests: {
    proposed: number;
    /** Traces carry no subrequest count: only a lower bound is known (see note). */
    available: false;
    note: string;
    atLeastInvocations: number;
    atLeastShare: number;
  } | null;
}

export const SUBREQUEST_NOTE =
  "Traces carry no subrequest count, so the share over a proposed subrequest limit cannot be computed. " +
  "Known: invocations that broke a limit in force at least as high as the proposal would also break it (a lower bound). " +
  "An Outbound Worker that counts subrequests per invocation would make this exact.";

export function planStatsSql(scope: Scope): string {
  return [
    `SELECT ${col("plan")} AS plan, ${sampledCount()} AS invocations,`,
    `  ${sampledCountIf(violationCondition())} AS violations,`,
    `  ${sampledCountIf(`${col("violation")} = ${lit("cpu")}`)} AS cpu_violations,`,
    `  ${sampledCountIf(`${col("violation")} = ${lit("subrequests")}`)} AS subrequest_violations,`,
    `  ${sampledQuantile(0.5, "cpuMs")} AS p50, ${sampledQuantile(0.95, "cpuMs")} AS p95, ${sampledQuantile(0.99, "cpuMs")} AS p99`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    "GROUP BY plan ORDER BY plan",
  ].join("\n");
}

export function histogramSql(scope: Scope): string {
  return [`SELECT ${col("plan")} AS plan, ${binExpr()} AS bin, ${sampledCount()} AS invocations`, `FROM ${DATASET} ${whereOf(scope)}`, "GROUP BY plan, bin"].join("\n");
}

export function planTenantsSql(scope: Scope, whatIf: WhatIfQuery | null): string {
  const extra: string[] = [];
  if (whatIf !== null && whatIf.cpuMs !== null) {
    const over = `${col("cpuMs")} > ${numLit(whatIf.cpuMs)}`;
    const failing = `${col("violation")} = ${lit("cpu")}`;
    extra.push(`,\n  ${sampledCountIf(over)} AS over_cpu`, `,\n  ${sampledCountIf(failing)} AS failing_cpu`, `,\n  ${sampledCountIf(`${over} AND NOT (${failing})`)} AS new_cpu`);
  }
  if (whatIf !== null && whatIf.subRequests !== null) {
    // Broke a limit L' ≥ proposal P: made more than L' ≥ P subrequests, so it breaks P too.
    const cond = `${col("violation")} = ${lit("subrequests")} AND ${col("subrequestLimit")} >= ${numLit(whatIf.subRequests)}`;
    extra.push(`,\n  ${sampledCountIf(cond)} AS over_sub`);
  }
  return [
    `SELECT ${col("plan")} AS plan, ${INDEX_COLUMN} AS tenant, ${sampledCount()} AS invocations, max(timestamp) AS last${extra.join("")}`,
    `FROM ${DATASET} ${whereOf(scope)}`,
    "GROUP BY plan, tenant",
  ].join("\n");
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/**
 * Active tenants per plan, each tenant counted once under the plan of its latest
 * invocation in the window (a tenant moved from free to pro mid-week is a pro tenant
 * now; counting it under both made the plans add up to more tenants than exist).
 * `last` is AE's 'YYYY-MM-DD hh:mm:ss', which sorts as it reads.
 */
export function activeByLatestPlan(rows: readonly { plan: string; tenant: string; last: string }[]): { byPlan: Map<string, number>; tenants: number } {
  const latest = new Map<string, { plan: string; last: string }>();
  for (const row of rows) {
    // An overflow fold is several tenants at once, none of them countable.
    if (row.tenant === OVERFLOW_TENANT) continue;
    const seen = latest.get(row.tenant);
    // Ties (the same second) go to the plan that sorts last, so the answer never depends on row order.
    if (seen === undefined || row.last > seen.last || (row.last === seen.last && row.plan > seen.plan)) latest.set(row.tenant, { plan: row.plan, last: row.last });
  }
  const byPlan = new Map<string, number>();
  for (const { plan } of latest.values()) byPlan.set(plan, (byPlan.get(plan) ?? 0) + 1);
  return { byPlan, tenants: latest.size };
}

export interface PlanStatsResult {
  stats: PlanStats[];
  /** Distinct tenants with an invocation in the window (the sum of activeTenants over plans). */
  activeTenants: number;
  whatIf: WhatIf | null;
}

export async function loadPlanStats(sql: SqlClient, scope: Scope, whatIf: WhatIfQuery | null): Promise<PlanStatsResult> {
  const [statsResult, histResult, tenantResult] = await Promise.all([
    sql.query(planStatsSql(scope)),
    sql.query(histogramSql(scope)),
    sql.query(planTenantsSql(scope, whatIf)),
  ]);
  const bins = CPU_BIN_EDGES.length + 1;
  const histograms = new Map<string, number[]>();
  for (const row of histResult.rows) {
    const plan = str(row, "plan");
    const h = histograms.get(plan) ?? Array.from({ length: bins }, () => 0);
    const bin = Math.min(Math.max(0, Math.trunc(num(row, "bin"))), bins - 1);
    h[bin] = (h[bin] ?? 0) + num(row, "invocations");
    histograms.set(plan, h);
  }
  const active = activeByLatestPlan(tenantResult.rows.map((r) => ({ plan: str(r, "plan"), tenant: str(r, "tenant"), last: str(r, "last") })));
  const stats = statsResult.rows.map((row): PlanStats => {
    const plan = str(row, "plan");
    const invocations = num(row, "invocations");
    const violations = num(row, "violations");
    return {
      plan,
      invocations,
      violations,
      cpuViolations: num(row, "cpu_violations"),
      subrequestViolations: num(row, "subrequest_violations"),
      violationRate: share(violations, invocations),
      cpuMsP50: num(row, "p50"),
      cpuMsP95: num(row, "p95"),
      cpuMsP99: num(row, "p99"),
      activeTenants: active.byPlan.get(plan) ?? 0,
      histogram: histograms.get(plan) ?? Array.from({ length: bins }, () => 0),
    };
  });
  return { stats, activeTenants: active.tenants, whatIf: whatIf === null ? null : summariseWhatIf(whatIf, tenantResult.rows.filter((r) => str(r, "plan") === whatIf.plan)) };
}

function summariseWhatIf(q: WhatIfQuery, rows: Record<string, string | number | null>[]): WhatIf {
  let invocations = 0;
  let overCpu = 0;
  let tenantsOverCpu = 0;
  let failingCpu = 0;
  let newCpu = 0;
  const newlyFailing: NonNullable<WhatIf["cpu"]>["newlyFailing"] = [];
  let overSub = 0;
  for (const row of rows) {
    const own = num(row, "invocations");
    invocations += own;
    if (q.cpuMs !== null) {
      const over = num(row, "over_cpu");
      overCpu += over;
      if (over > 0) tenantsOverCpu++;
      failingCpu += num(row, "failing_cpu");
      const added = num(row, "new_cpu");
      newCpu += added;
      if (added > 0) newlyFailing.push({ tenant: str(row, "tenant"), newFailures: added, invocations: own, share: share(added, own) });
    }
    if (q.subRequests !== null) overSub += num(row, "over_sub");
  }
  return {
    plan: q.plan,
    invocations,
    tenants: rows.length,
    cpu:
      q.cpuMs === null
        ? null
        : {
            proposedMs: q.cpuMs,
            invocationsOver: overCpu,
            invocationShare: share(overCpu, invocations),
            tenantsOver: tenantsOverCpu,
            tenantShare: share(tenantsOverCpu, rows.length),
            alreadyFailing: failingCpu,
            newFailures: newCpu,
            newShare: share(newCpu, invocations),
            newlyFailing: newlyFailing.sort((a, b) => b.newFailures - a.newFailures || a.tenant.localeCompare(b.tenant)),
          },
    subRequests:
      q.subRequests === null
        ? null
        : { proposed: q.subRequests, available: false, note: SUBREQUEST_NOTE, atLeastInvocations: overSub, atLeastShare: share(overSub, invocations) },
  };
}
