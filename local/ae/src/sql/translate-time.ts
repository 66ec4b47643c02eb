/** The translator's DateTime operators: index-friendly comparisons of `timestamp`, and ± INTERVAL. */
import type { Expr } from "./ast.ts";
import type { Source } from "./source.ts";
import { type Fragment, UNIT_MONTHS, UNIT_SECONDS, isInteger, isTime } from "./types.ts";
import { isConstant } from "./validate.ts";

/** What these need of the translator. */
interface TimeContext {
  readonly source: Source;
  readonly aliases: Map<string, Expr>;
  /** The table alias column references go through. */
  readonly table: string;
  param(value: string | number): string;
}

/**
 * `timestamp <op> constant` compares the stored milliseconds directly, so SQLite can use
 * the timestamp index: floor(ms / 1000) > X exactly when ms >= (X + 1) * 1000, and so on.
 * Only over the dataset's own points: a subquery's `timestamp` is a computed column.
 */
export function timeRange(tr: TimeContext, op: string, col: Expr, other: Expr, value: Fragment): Fragment | null {
  if (!tr.source.stored || col.kind !== "ident" || col.name !== "timestamp" || !isConstant(other)) return null;
  if (col.table === undefined && tr.aliases.has("timestamp")) return null;
  if (!isTime(value.type) && !isInteger(value.type)) return null;
  const ms = `${tr.table}.timestamp`;
  const x = `(${value.sql})`;
  const bounds: Record<string, string> = {
    ">": `${ms} >= (${x} + 1) * 1000`, ">=": `${ms} >= ${x} * 1000`,
    "<": `${ms} < ${x} * 1000`, "<=": `${ms} < (${x} + 1) * 1000`,
    "=": `(${ms} >= ${x} * 1000 AND ${ms} < (${x} + 1) * 1000)`,
  };
  const sql = bounds[op];
  return sql === undefined ? null : { sql: `(${sql})`, type: "UInt8" };
}

export function timeShift(tr: TimeContext, time: Fragment, iv: Fragment, sign: 1 | -1): Fragment {
  const { n, unit } = iv.interval ?? { n: 0, unit: "SECOND" };
  const seconds = UNIT_SECONDS[unit];
  if (seconds !== undefined) return { sql: `(${time.sql} ${sign < 0 ? "-" : "+"} ${n * seconds})`, type: time.type };
  const months = n * (UNIT_MONTHS[unit] ?? 1) * sign;
  const modifier = tr.param(`${months >= 0 ? "+" : ""}${months} months`);
  // 'floor' clamps to the month's last day (Jan 31 + 1 month = Feb 28), as ClickHouse does;
  // without it SQLite overflows into the next month (Mar 3).
  return { sql: `CAST(strftime('%s', ${time.sql}, 'unixepoch', ${modifier}, 'floor') AS INTEGER)`, type: time.type };
}
