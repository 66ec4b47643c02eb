/**
 * The usage export for invoicing, shared by the dashboard's Billing page and API and by
 * `tenantscope usage export`: per customer, tenant and plan in force (a plan change
 * mid-period gives two rows), the sampling- and fold-corrected invocations, ok and
 * failed, CPU and wall ms. One SQL round trip; dispatcher answers are never billed
 * (whereOf leaves them out). Periods AE cannot answer in full are refused, with why.
 */
import { customerOf, isCustomerId } from "./customers.ts";
import { DATASET, INDEX_COLUMN, col, sampledCount, sampledCountIf, sampledSum } from "./schema.ts";
import { errorCondition, lit, whereOf } from "./sql.ts";

export interface UsagePeriod {
  /** Inclusive start, ms since the epoch (UTC). */
  from: number;
  /** Exclusive end. */
  to: number;
  label: string;
}

/** Analytics Engine keeps data for three months. */
export const RETENTION_MONTHS = 3;

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM` → that UTC calendar month; null when malformed. */
export function monthPeriod(month: string): UsagePeriod | null {
  const m = MONTH_RE.exec(month);
  if (m === null) return null;
  const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  return { from, to: Date.UTC(Number(m[1]), Number(m[2]), 1), label: month };
}

/** `YYYY-MM` of a time, UTC. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** The month before or after `month` (YYYY-MM). */
export function shiftMonth(month: string, by: number): string {
  const p = monthPeriod(month);
  if (p === null) throw new RangeError(`not a month: ${month}`);
  const d = new Date(p.from);
  return monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + by, 1));
}

/** The oldest time AE still holds: the same moment three calendar months ago (the day clamped to that month). */
export function retentionStart(nowMs: number): number {
  const now = new Date(nowMs);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - RETENTION_MONTHS;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(now.getUTCDate(), lastDay), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds());
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** Why a period cannot be exported, or null when it can (a period still running is fine: it is marked incomplete). */
export function periodRefusal(period: UsagePeriod, nowMs: number): string | null {
  if (period.from > nowMs) {
    return `${period.label} has not begun: it starts ${iso(period.from)} and it is now ${iso(nowMs)} (UTC), so nothing can have been recorded.`;
  }
  const oldest = retentionStart(nowMs);
  if (period.from < oldest) {
    const firstWhole = monthPeriod(monthOf(oldest));
    const month = firstWhole !== null && firstWhole.from === oldest ? monthOf(oldest) : shiftMonth(monthOf(oldest), 1);
    return `${period.label} starts ${iso(period.from)}, before ${iso(oldest)}: Analytics Engine keeps data for ${RETENTION_MONTHS} months, so part of this period is already deleted and its usage would be undercounted. The oldest whole month still kept is ${month}.`;
  }
  return null;
}

export interface UsageFigures {
  invocations: number;
  ok: number;
  /** Errors (any outcome but ok). ok + failed < invocations only on `~overflow` folds of mixed outcomes. */
  failed: number;
  cpuMs: number;
  wallMs: number;
}

export interface UsageRow extends UsageFigures {
  /** The tag's customer id, or the tenant's own name when it has none. */
  customer: string;
  tenant: string;
  plan: string;
  periodStart: string;
  periodEnd: string;
  /** First and last invocation under this plan in the period (UTC): where a plan change falls. */
  firstSeen: string;
  lastSeen: string;
}

export interface CustomerUsage extends UsageFigures {
  customer: string;
  tenants: string[];
}

export interface UsageFilter {
  /** A scoped reader's tenant, or null for all. */
  tenant: string | null;
  /** A customer id (or a tenant name, for tenants that are their own customer), or null. */
  customer: string | null;
}

export interface UsageExport {
  dataset: string;
  exportedAt: string;
  period: { start: string; end: string; label: string; complete: boolean };
  filter: UsageFilter;
  rows: UsageRow[];
  customers: CustomerUsage[];
  totals: UsageFigures;
}

/** The one query: a row per tenant, recorded customer and plan. */
export function usageSql(period: UsagePeriod, filter: UsageFilter): string {
  const extra: string[] = [];
  if (filter.customer !== null) {
    if (!isCustomerId(filter.customer)) throw new Error("refusing an unvalidated customer id");
    const c = lit(filter.customer);
    extra.push(`(${col("customer")} = ${c} OR (${col("customer")} = ${lit("")} AND ${INDEX_COLUMN} = ${c}))`);
  }
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, ${col("customer")} AS customer, ${col("plan")} AS plan,`,
    `  ${sampledCount()} AS invocations, ${sampledCountIf(`${col("outcome")} = ${lit("ok")}`)} AS ok,`,
    `  ${sampledCountIf(errorCondition())} AS failed,`,
    `  ${sampledSum("cpuMs")} AS cpu_ms, ${sampledSum("wallMs")} AS wall_ms,`,
    "  MIN(timestamp) AS first_seen, MAX(timestamp) AS last_seen",
    `FROM ${DATASET} ${whereOf({ from: period.from, to: period.to, tenant: filter.tenant, extra })}`,
    "GROUP BY tenant, customer, plan ORDER BY tenant ASC, customer ASC, plan ASC",
  ].join("\n");
}

type Cell = string | number | null | undefined;

/** 64-bit integers arrive as JSON strings from AE. */
function num(row: Record<string, Cell>, key: string): number {
  const v = row[key];
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`the usage query answered a non-number in "${key}"`);
  return n;
}

function text(row: Record<string, Cell>, key: string): string {
  const v = row[key];
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

/** AE renders a DateTime as 'YYYY-MM-DD hh:mm:ss' (UTC). */
function utc(value: string): string {
  return /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/.test(value) ? `${value.slice(0, 10)}T${value.slice(11, 19)}Z` : value;
}

const zero = (): UsageFigures => ({ invocations: 0, ok: 0, failed: 0, cpuMs: 0, wallMs: 0 });

function add(into: UsageFigures, r: UsageFigures): void {
  into.invocations += r.invocations;
  into.ok += r.ok;
  into.failed += r.failed;
  into.cpuMs += r.cpuMs;
  into.wallMs += r.wallMs;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The query's rows → the export: rows by customer, tenant, plan; per-customer sums; totals. */
export function usageExport(rows: readonly Record<string, Cell>[], period: UsagePeriod, filter: UsageFilter, nowMs: number): UsageExport {
  const periodStart = iso(period.from);
  const periodEnd = iso(period.to);
  const out = rows.map((row): UsageRow => {
    const tenant = text(row, "tenant");
    return {
      customer: customerOf(text(row, "customer"), tenant), tenant, plan: text(row, "plan"), periodStart, periodEnd,
      invocations: num(row, "invocations"), ok: num(row, "ok"), failed: num(row, "failed"),
      cpuMs: num(row, "cpu_ms"), wallMs: num(row, "wall_ms"),
      firstSeen: utc(text(row, "first_seen")), lastSeen: utc(text(row, "last_seen")),
    };
  });
  out.sort((a, b) => byText(a.customer, b.customer) || byText(a.tenant, b.tenant) || byText(a.plan, b.plan));
  const customers = new Map<string, CustomerUsage>();
  const totals = zero();
  for (const r of out) {
    let c = customers.get(r.customer);
    if (c === undefined) customers.set(r.customer, (c = { customer: r.customer, tenants: [], ...zero() }));
    if (!c.tenants.includes(r.tenant)) c.tenants.push(r.tenant);
    add(c, r);
    add(totals, r);
  }
  return {
    dataset: DATASET,
    exportedAt: iso(Math.floor(nowMs / 1000) * 1000),
    period: { start: periodStart, end: periodEnd, label: period.label, complete: period.to <= nowMs },
    filter,
    rows: out,
    customers: [...customers.values()],
    totals,
  };
}

export const USAGE_CSV_COLUMNS = [
  "customer", "tenant", "plan", "period_start", "period_end", "invocations", "ok", "failed", "cpu_ms", "wall_ms", "first_seen", "last_seen", "exported_at", "dataset",
] as const;

/** A CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it. */
function csvCell(value: string | number): string {
  let s = typeof value === "number" ? String(Math.round(value * 1000) / 1000) : value;
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Data rows only, under one header line: no total row, so sums and imports stay right. */
export function usageCsv(u: UsageExport): string {
  const lines = [USAGE_CSV_COLUMNS.join(",")];
  for (const r of u.rows) {
    const cells = [r.customer, r.tenant, r.plan, r.periodStart, r.periodEnd, r.invocations, r.ok, r.failed, r.cpuMs, r.wallMs, r.firstSeen, r.lastSeen, u.exportedAt, u.dataset];
    lines.push(cells.map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The file name of a download: tenantscope-usage[-customer]-YYYY-MM.csv|json. */
export function usageFileName(u: UsageExport, ext: "csv" | "json"): string {
  const who = u.filter.customer ?? u.filter.tenant;
  return `tenantscope-usage${who === null ? "" : `-${who}`}-${u.period.label}.${ext}`;
}
