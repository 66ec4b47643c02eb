/**
 * Errors grouped, for support: by error code, outcome, exception name, normalised
 * message and script version (the `errorGroup` the Tail Worker stores, SCHEMA.md), the
 * dispatcher's own answers included (unknown or suspended tenant, invalid name…). Per
 * group: sampling-corrected requests, share of the tenant's requests, first and last
 * seen, a trend, methods and statuses, the latest message and log excerpt. Two SQL
 * round trips (groups, trend); the raw rows of one group are a third, on demand.
 * Points written before error grouping existed have no group and are not listed.
 */
import { ERROR_GROUP_RE } from "@tenantscope/core/error-groups";
import { parseExcerpt, type ExcerptLine } from "@tenantscope/core/log-excerpt";
import { isTenantName } from "@tenantscope/core/names";
import { INDEX_COLUMN, sampledCount, sampledRequests } from "@tenantscope/core/schema";
import { type SqlClient, num, str } from "@tenantscope/core/sql-client";
import { DATASET, bucketKeyOf, col, lit, normalizeBucketKey, numLit, whereOf, type Scope } from "../sql/build.ts";
import { clientStatusExpr } from "./tenant.ts";

const MINUTE = 60_000;
/** Trend bars: the first interval that gives at most TREND_BARS bars over the range. */
const TREND_INTERVALS: readonly { ms: number; sql: string }[] = [
  { ms: MINUTE, sql: "INTERVAL '1' MINUTE" },
  { ms: 5 * MINUTE, sql: "INTERVAL '5' MINUTE" },
  { ms: 15 * MINUTE, sql: "INTERVAL '15' MINUTE" },
  { ms: 60 * MINUTE, sql: "INTERVAL '1' HOUR" },
  { ms: 180 * MINUTE, sql: "INTERVAL '3' HOUR" },
  { ms: 360 * MINUTE, sql: "INTERVAL '6' HOUR" },
  { ms: 720 * MINUTE, sql: "INTERVAL '12' HOUR" },
  { ms: 1440 * MINUTE, sql: "INTERVAL '1' DAY" },
  { ms: 7 * 1440 * MINUTE, sql: "INTERVAL '7' DAY" },
];
export const TREND_BARS = 30;
/** Rows of the groups query: groups × methods × statuses; past it the page says it is partial. */
export const MAX_GROUP_ROWS = 1000;
const MAX_TREND_ROWS = 20_000;
export const RAW_ROWS = 50;

export function trendInterval(from: number, to: number): { ms: number; sql: string } {
  const span = Math.max(1, to - from);
  return TREND_INTERVALS.find((i) => span / i.ms <= TREND_BARS) ?? { ms: 30 * 1440 * MINUTE, sql: "INTERVAL '30' DAY" };
}

export interface ErrorGroup {
  id: string;
  tenant: string;
  /** false for `~invalid`, `~unrouted`, `~overflow`: not a tenant page. */
  linkable: boolean;
  code: string;
  outcome: string;
  name: string;
  messageKey: string;
  /** The latest raw message of the group. */
  message: string;
  version: string;
  requests: number;
  /** Of the tenant's requests in the range (its invocations and the dispatcher's answers for it). */
  share: number;
  firstSeen: string;
  lastSeen: string;
  methods: { method: string; requests: number }[];
  statuses: { status: number; requests: number }[];
  trend: number[];
  /** The latest log excerpt (SCHEMA.md `logExcerpt`). */
  logs: { lines: ExcerptLine[]; cut: number };
  /** From the dispatcher's own answers: no tenant code ran. */
  dispatcher: boolean;
  /** The group's version appeared in this range and the group began with it. */
  startedWithVersion: boolean;
}

export interface ErrorGroups {
  /** Trend bar starts, 'YYYY-MM-DD hh:mm:ss' UTC. */
  trendBuckets: string[];
  trendBucketMs: number;
  groups: ErrorGroup[];
  /** More rows than MAX_GROUP_ROWS: the smallest groups are missing. */
  partial: boolean;
}

const requests = sampledRequests();
const inRange = (scope: Scope): string => whereOf({ ...scope, answers: true, extra: [...(scope.extra ?? []), `${col("errorGroup")} != ${lit("")}`] });

export function groupsSql(scope: Scope): string {
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, ${col("errorGroup")} AS grp, ${col("errorCode")} AS code, ${col("outcome")} AS outcome,`,
    `  ${col("exceptionName")} AS name, ${col("messageKey")} AS message_key, ${col("scriptVersion")} AS version, ${col("pointKind")} AS kind,`,
    `  ${col("method")} AS method, ${clientStatusExpr()} AS status, ${requests} AS requests,`,
    "  min(timestamp) AS first_seen, max(timestamp) AS last_seen,",
    `  argMax(${col("exceptionMessage")}, timestamp) AS message, argMax(${col("logExcerpt")}, timestamp) AS excerpt`,
    `FROM ${DATASET} ${inRange(scope)}`,
    "GROUP BY tenant, grp, code, outcome, name, message_key, version, kind, method, status",
    `ORDER BY requests DESC LIMIT ${numLit(MAX_GROUP_ROWS + 1)}`,
  ].join("\n");
}

export function trendSql(scope: Scope, interval: string): string {
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, ${col("errorGroup")} AS grp, toStartOfInterval(timestamp, ${interval}) AS t, ${requests} AS requests`,
    `FROM ${DATASET} ${inRange(scope)}`,
    `GROUP BY tenant, grp, t LIMIT ${numLit(MAX_TREND_ROWS)}`,
  ].join("\n");
}

/** Versions that appeared after another of the same tenant: tenant → version → first seen. */
export type NewVersions = Map<string, Map<string, string>>;
/** The tenant's requests in the range, for each group's share. */
export type TenantRequests = Map<string, number>;

const STARTED_WITHIN_MS = 5 * MINUTE;

function timeMs(value: string): number {
  return Date.parse(`${normalizeBucketKey(value).replace(" ", "T")}Z`);
}

export interface TenantTotals {
  requests: TenantRequests;
  newVersions: NewVersions;
}

/** The groups in `scope`; `totals` (for shares and version starts) comes from a query the caller runs alongside. */
export async function loadErrorGroups(sql: SqlClient, scope: Scope, totals: Promise<TenantTotals>): Promise<ErrorGroups> {
  const interval = trendInterval(scope.from, scope.to);
  const [grouped, trended, ctx] = await Promise.all([sql.query(groupsSql(scope)), sql.query(trendSql(scope, interval.sql)), totals]);
  const starts: string[] = [];
  for (let t = Math.floor(scope.from / interval.ms) * interval.ms; t < scope.to; t += interval.ms) starts.push(bucketKeyOf(t));
  const bar = new Map(starts.map((k, i) => [k, i]));
  const groups = new Map<string, ErrorGroup & { latest: string }>();
  const partial = grouped.rows.length > MAX_GROUP_ROWS;
  for (const row of grouped.rows.slice(0, MAX_GROUP_ROWS)) {
    const tenant = str(row, "tenant");
    const key = `${tenant}\u0000${str(row, "grp")}`;
    const n = num(row, "requests");
    const last = str(row, "last_seen");
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        id: str(row, "grp"), tenant, linkable: isTenantName(tenant), code: str(row, "code"), outcome: str(row, "outcome"), name: str(row, "name"),
        messageKey: str(row, "message_key"), message: "", version: str(row, "version"), requests: 0, share: 0,
        firstSeen: str(row, "first_seen"), lastSeen: last, methods: [], statuses: [], trend: starts.map(() => 0),
        logs: { lines: [], cut: 0 }, dispatcher: str(row, "kind") === "dispatcher", startedWithVersion: false, latest: "",
      };
      groups.set(key, g);
    }
    g.requests += n;
    if (str(row, "first_seen") < g.firstSeen) g.firstSeen = str(row, "first_seen");
    if (last > g.lastSeen) g.lastSeen = last;
    if (last >= g.latest) {
      g.latest = last;
      g.message = str(row, "message");
      g.logs = parseExcerpt(str(row, "excerpt"));
    }
    const method = g.methods.find((m) => m.method === str(row, "method"));
    if (method === undefined) g.methods.push({ method: str(row, "method"), requests: n });
    else method.requests += n;
    const status = g.statuses.find((s) => s.status === num(row, "status"));
    if (status === undefined) g.statuses.push({ status: num(row, "status"), requests: n });
    else status.requests += n;
  }
  for (const row of trended.rows) {
    const g = groups.get(`${str(row, "tenant")}\u0000${str(row, "grp")}`);
    const i = bar.get(normalizeBucketKey(str(row, "t")));
    if (g !== undefined && i !== undefined) g.trend[i] = (g.trend[i] ?? 0) + num(row, "requests");
  }
  const list = [...groups.values()].map(({ latest: _latest, ...g }) => {
    const total = ctx.requests.get(g.tenant) ?? 0;
    const versionStart = ctx.newVersions.get(g.tenant)?.get(g.version);
    const startedWithVersion = versionStart !== undefined && timeMs(g.firstSeen) - timeMs(versionStart) <= STARTED_WITHIN_MS;
    g.methods.sort((a, b) => b.requests - a.requests);
    g.statuses.sort((a, b) => b.requests - a.requests);
    return { ...g, share: total > 0 ? g.requests / total : 0, startedWithVersion };
  });
  list.sort((a, b) => b.requests - a.requests || a.firstSeen.localeCompare(b.firstSeen));
  return { trendBuckets: starts, trendBucketMs: interval.ms, groups: list, partial };
}

/** Per tenant: its requests and its script versions' first appearance (the Errors page's third query). */
export function tenantTotalsSql(scope: Scope): string {
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, ${col("scriptVersion")} AS version, ${requests} AS requests, ${sampledCount()} AS invocations, min(timestamp) AS first_seen`,
    `FROM ${DATASET} ${whereOf({ ...scope, answers: true })}`,
    "GROUP BY tenant, version",
  ].join("\n");
}

/** Versions by tenant from rows of (tenant, version, invocations, first seen): the new ones start after another. */
export function newVersionsOf(rows: readonly { tenant: string; version: string; first: string }[]): NewVersions {
  const byTenant = new Map<string, { version: string; first: string }[]>();
  for (const r of rows) {
    if (r.version === "") continue;
    const list = byTenant.get(r.tenant) ?? [];
    list.push({ version: r.version, first: r.first });
    byTenant.set(r.tenant, list);
  }
  const out: NewVersions = new Map();
  for (const [tenant, list] of byTenant) {
    list.sort((a, b) => a.first.localeCompare(b.first));
    out.set(tenant, new Map(list.slice(1).map((v) => [v.version, v.first])));
  }
  return out;
}

export async function loadTenantTotals(sql: SqlClient, scope: Scope): Promise<TenantTotals> {
  const result = await sql.query(tenantTotalsSql(scope));
  const requests: TenantRequests = new Map();
  for (const row of result.rows) requests.set(str(row, "tenant"), (requests.get(str(row, "tenant")) ?? 0) + num(row, "requests"));
  const versioned = result.rows.filter((row) => num(row, "invocations") > 0);
  return { requests, newVersions: newVersionsOf(versioned.map((row) => ({ tenant: str(row, "tenant"), version: str(row, "version"), first: str(row, "first_seen") }))) };
}

export interface ErrorRow {
  time: string;
  tenant: string;
  outcome: string;
  code: string;
  name: string;
  message: string;
  version: string;
  method: string;
  status: number;
  cpuMs: number;
  /** How many requests the point stands for (sampling and folding). */
  requests: number;
  dispatcher: boolean;
  logs: { lines: ExcerptLine[]; cut: number };
}

export function rowsSql(scope: Scope, group: string): string {
  if (!ERROR_GROUP_RE.test(group)) throw new Error("refusing an unvalidated error group");
  return [
    `SELECT timestamp AS time, ${INDEX_COLUMN} AS tenant, ${col("outcome")} AS outcome, ${col("errorCode")} AS code, ${col("exceptionName")} AS name,`,
    `  ${col("exceptionMessage")} AS message, ${col("scriptVersion")} AS version, ${col("method")} AS method, ${clientStatusExpr()} AS status,`,
    `  ${col("cpuMs")} AS cpu_ms, _sample_interval * (${col("invocations")} + ${col("dispatcherAnswers")}) AS requests, ${col("pointKind")} AS kind, ${col("logExcerpt")} AS excerpt`,
    `FROM ${DATASET} ${whereOf({ ...scope, answers: true, extra: [`${col("errorGroup")} = ${lit(group)}`] })}`,
    `ORDER BY time DESC LIMIT ${numLit(RAW_ROWS)}`,
  ].join("\n");
}

export async function loadErrorRows(sql: SqlClient, scope: Scope, group: string): Promise<ErrorRow[]> {
  const result = await sql.query(rowsSql(scope, group));
  return result.rows.map((row) => ({
    time: str(row, "time"), tenant: str(row, "tenant"), outcome: str(row, "outcome"), code: str(row, "code"), name: str(row, "name"),
    message: str(row, "message"), version: str(row, "version"), method: str(row, "method"), status: num(row, "status"), cpuMs: num(row, "cpu_ms"),
    requests: num(row, "requests"), dispatcher: str(row, "kind") === "dispatcher", logs: parseExcerpt(str(row, "excerpt")),
  }));
}

