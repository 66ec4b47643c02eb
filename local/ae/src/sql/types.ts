/** ClickHouse type names as AE reports them in `meta`, and the translator's fragments. */
import type { IntervalUnit } from "./ast.ts";

export type ScalarType = "String" | "Float64" | "UInt64" | "Int64" | "UInt32" | "UInt16" | "UInt8" | "DateTime" | "Date" | "Interval" | "Nothing";
/** Arrays only come out of topK/topKWeighted; SQLite holds them as JSON text. */
export type SqlType = ScalarType | `Array(${ScalarType})`;

/** A translated expression: SQLite text with ?N placeholders, and its ClickHouse type. */
export interface Fragment {
  sql: string;
  type: SqlType;
  /** Set on INTERVAL values, which only exist as operands of DateTime ± INTERVAL. */
  interval?: { n: number; unit: IntervalUnit };
  /** Set on string literals, so DateTime comparisons and LIKE patterns can use the value. */
  literal?: string;
  aggregate?: boolean;
}

export const UNIT_SECONDS: Partial<Record<IntervalUnit, number>> = {
  SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86_400, WEEK: 604_800,
};
export const UNIT_MONTHS: Partial<Record<IntervalUnit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

export function isInteger(t: SqlType): boolean {
  return t === "Int64" || isUnsigned(t);
}
export function isUnsigned(t: SqlType): boolean {
  return t === "UInt64" || t === "UInt32" || t === "UInt16" || t === "UInt8";
}
export function isScalar(t: SqlType): t is ScalarType {
  return !t.startsWith("Array(");
}
export function elementType(t: SqlType): ScalarType | null {
  const m = /^Array\((\w+)\)$/.exec(t);
  return m === null ? null : (m[1] as ScalarType);
}
/** What ClickHouse gives a non-Nullable column when there is no row to take it from. */
export function defaultValue(t: SqlType): string {
  return t === "String" ? "''" : elementType(t) !== null ? "'[]'" : "0";
}
export function isNumeric(t: SqlType): boolean {
  return isInteger(t) || t === "Float64";
}
export function isTime(t: SqlType): boolean {
  return t === "DateTime" || t === "Date";
}

/** Parses 'YYYY-MM-DD[ hh:mm:ss]' (or ISO 8601) as UTC, to epoch seconds; null if invalid. */
export function parseDateTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?(Z)?$/.exec(text.trim());
  if (m === null) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
