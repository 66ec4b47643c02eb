/**
 * The bounded set of SQL queries behind one evaluation. Rules do not query: each rule
 * names the shapes it reads (a window of W minutes, the window before it, the same window
 * on the seven days before, a quota period so far), every distinct shape is one query
 * grouped by tenant, and all rules read their figures from those answers. So a run costs
 * one query per distinct shape, whatever the number of tenants or of rules sharing it.
 */
import type { AlertRule } from "@tenantscope/core/alerts";
import { DATASET, INDEX_COLUMN, OVERFLOW_TENANT, col, sampledCount, sampledCountIf, sampledQuantile, sampledSum } from "@tenantscope/core/schema";
import { dateTime, errorCondition, lit, numLit, whereOf } from "@tenantscope/core/sql";

export type Shape =
  /** The last W minutes: counts, limit hits, CPU p95 and the plan's CPU limit per tenant. */
  | { kind: "window"; minutes: number }
  /** The W minutes before the last W. */
  | { kind: "previous"; minutes: number }
  /** The same W minutes on each of the 7 spans before (days, or W when W is a day or more). */
  | { kind: "median"; minutes: number }
  /** The quota period so far: the UTC month (null) or spans of `seconds` from the epoch. */
  | { kind: "period"; seconds: number | null };

export const shapeKey = (s: Shape): string => (s.kind === "period" ? `period:${s.seconds ?? "month"}` : `${s.kind}:${s.minutes}`);

/** What every rule reads, deduplicated, in a stable order. */
export function shapesOf(rules: readonly AlertRule[]): Shape[] {
  const shapes = new Map<string, Shape>();
  const add = (s: Shape): void => void shapes.set(shapeKey(s), s);
  for (const { condition: c } of rules) {
    if (c.kind === "quota") add({ kind: "period", seconds: c.periodSeconds });
    else add({ kind: "window", minutes: c.windowMinutes });
    if (c.kind === "change") add({ kind: c.baseline === "previous" ? "previous" : "median", minutes: c.windowMinutes });
  }
  return [...shapes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
}

export interface Period {
  from: number;
  to: number;
}

/** The quota period holding `nowMs`. */
export function periodAt(seconds: number | null, nowMs: number): Period {
  if (seconds === null) {
    const d = new Date(nowMs);
    return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), to: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
  const span = seconds * 1000;
  const from = Math.floor(nowMs / span) * span;
  return { from, to: from + span };
}

const DAY_SECONDS = 86_400;
export const MEDIAN_SPANS = 7;

/** Seconds between the median's windows: a day, so each compares the same time of day; W itself when W is a day or longer. */
export const medianStep = (minutes: number): number => Math.max(DAY_SECONDS, minutes * 60);

/** The time range a shape covers at `nowMs` (seconds resolution, as AE's timestamps). */
export function rangeOf(shape: Shape, nowMs: number): Period {
  const now = Math.floor(nowMs / 1000) * 1000;
  if (shape.kind === "period") return { from: periodAt(shape.seconds, now).from, to: now };
  const w = shape.minutes * 60_000;
  if (shape.kind === "window") return { from: now - w, to: now };
  if (shape.kind === "previous") return { from: now - 2 * w, to: now - w };
  const step = medianStep(shape.minutes) * 1000;
  return { from: now - MEDIAN_SPANS * step - w, to: now - step };
}

const n = sampledCount();
const SKIP_OVERFLOW = `${INDEX_COLUMN} != ${lit(OVERFLOW_TENANT)}`;
/** The tenant's plan and customer as its latest point recorded them. */
const WHO = `argMax(${col("plan")}, timestamp) AS plan, argMax(${col("customer")}, timestamp) AS customer`;
const violation = (kinds: readonly string[]): string => sampledCountIf(`${col("violation")} IN (${kinds.map(lit).join(", ")})`);

/** The one SQL text of a shape at `nowMs`. */
export function shapeSql(shape: Shape, nowMs: number): string {
  const range = rangeOf(shape, nowMs);
  const from = `FROM ${DATASET}`;
  if (shape.kind === "window") {
    const where = whereOf({ ...range, tenant: null, extra: [SKIP_OVERFLOW] });
    return [
      `SELECT ${INDEX_COLUMN} AS tenant, ${WHO}, ${n} AS invocations, ${sampledCountIf(errorCondition())} AS errors,`,
      `${violation(["cpu"])} AS cpu_hits, ${violation(["subrequests"])} AS subrequest_hits, ${violation(["cpu", "memory", "subrequests"])} AS limit_hits,`,
      `${sampledQuantile(0.95, "cpuMs")} AS cpu_p95, max(${col("cpuLimitMs")}) AS cpu_limit`,
      `${from} ${where} GROUP BY ${INDEX_COLUMN}`,
    ].join(" ");
  }
  if (shape.kind === "period") {
    const where = whereOf({ ...range, tenant: null, extra: [SKIP_OVERFLOW] });
    return `SELECT ${INDEX_COLUMN} AS tenant, ${WHO}, ${n} AS invocations, ${sampledSum("cpuMs")} AS cpu_ms ${from} ${where} GROUP BY ${INDEX_COLUMN}`;
  }
  const counts = `${n} AS invocations, ${sampledCountIf(errorCondition())} AS errors`;
  if (shape.kind === "previous") {
    return `SELECT ${INDEX_COLUMN} AS tenant, ${counts} ${from} ${whereOf({ ...range, tenant: null, extra: [SKIP_OVERFLOW] })} GROUP BY ${INDEX_COLUMN}`;
  }
  // Only the seven windows, not the days between them; `span` says which one a row is (1–7).
  const nowSec = Math.floor(nowMs / 1000);
  const step = medianStep(shape.minutes);
  const windows: string[] = [];
  for (let d = 1; d <= MEDIAN_SPANS; d++) {
    const to = (nowSec - d * step) * 1000;
    windows.push(`(timestamp >= ${dateTime(to - shape.minutes * 60_000)} AND timestamp < ${dateTime(to)})`);
  }
  const where = whereOf({ ...range, tenant: null, extra: [SKIP_OVERFLOW, `(${windows.join(" OR ")})`] });
  // A point at t in window d has nowSec - 1 - t in [d × step, d × step + W - 1], so this is d.
  const span = `intDiv(${numLit(nowSec - 1)} - toUnixTimestamp(timestamp), ${numLit(step)})`;
  return `SELECT ${INDEX_COLUMN} AS tenant, ${span} AS span, ${counts} ${from} ${where} GROUP BY ${INDEX_COLUMN}, span`;
}
