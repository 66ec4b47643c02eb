/**
 * Date and time functions. DateTime values are epoch seconds in SQLite (ClickHouse's
 * DateTime has 1 s resolution); Date values are epoch seconds at 00:00 UTC.
 * Only UTC exists locally: a time zone argument must name UTC (see utcOnly).
 */
import type { Expr, IntervalUnit } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type Impl, NULL_EXPR, arg, arity, balanced, constInteger, timeArg } from "./function-kit.ts";
import { type Fragment, type SqlType, UNIT_MONTHS, UNIT_SECONDS, isNumeric, isTime, parseDateTime } from "./types.ts";

/** Floors epoch seconds to a multiple of `size` seconds counted from `origin`. */
function floorSeconds(x: string, size: number, origin = 0): string {
  return origin === 0 ? `((${x} / ${size}) * ${size})` : `((((${x}) - ${origin}) / ${size}) * ${size} + ${origin})`;
}

/** Floors epoch seconds to the first day of a block of n months counted from 1970-01. */
function floorMonths(x: string, n: number): string {
  const months = `((CAST(strftime('%Y', ${x}, 'unixepoch') AS INTEGER) - 1970) * 12 + CAST(strftime('%m', ${x}, 'unixepoch') AS INTEGER) - 1)`;
  const start = `((${months} / ${n}) * ${n})`;
  return `CAST(strftime('%s', printf('%04d-%02d-01', 1970 + ${start} / 12, ${start} % 12 + 1)) AS INTEGER)`;
}

/** 1969-12-29 and 1970-01-04 were a Monday and a Sunday; weeks are counted from them. */
const MONDAY_ORIGIN = -259_200;
const SUNDAY_ORIGIN = 259_200;

export function startOfInterval(x: string, n: number, unit: IntervalUnit): string {
  const seconds = UNIT_SECONDS[unit];
  if (unit === "WEEK") return floorSeconds(x, n * 604_800, MONDAY_ORIGIN);
  if (seconds !== undefined) return floorSeconds(x, n * seconds);
  return floorMonths(x, n * (UNIT_MONTHS[unit] ?? 1));
}

/** Accepts a time zone argument only when it names UTC: the stand-in has no zone data in SQL. */
const UTC_NAMES = new Set(["UTC", "ETC/UTC", "GMT", "ETC/GMT", "UCT", "ETC/UCT", "UNIVERSAL", "ETC/UNIVERSAL", "ZULU", "ETC/ZULU"]);
export const TIMEZONES = ["Etc/UTC", "UTC", "GMT", "Etc/GMT"];
export function utcOnly(name: string, e: Expr | undefined): void {
  if (e === undefined) return;
  if (e.kind !== "str") throw new SqlError(`Function ${name} takes the time zone as a constant string`);
  if (!UTC_NAMES.has(e.value.toUpperCase())) throw new SqlError(`Time zone '${e.value}' is not supported by the local AE (function ${name}): only UTC`);
}

function startOf(name: string, type: SqlType, build: (x: string) => string): Impl {
  return (ctx, args) => { arity(name, args, 1, 2); utcOnly(name, args[1]); return { sql: build(timeArg(ctx, name, args[0]).sql), type }; };
}

/** A calendar field of a DateTime, via strftime. */
function field(name: string, spec: string, type: SqlType): Impl {
  return (ctx, args) => {
    arity(name, args, 1, 2);
    utcOnly(name, args[1]);
    return { sql: `CAST(strftime('${spec}', ${timeArg(ctx, name, args[0]).sql}, 'unixepoch') AS INTEGER)`, type };
  };
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `names[strftime(spec) - base]`, as a CASE over our own constant names. */
function named(x: string, spec: string, names: string[], base: number, short: boolean): string {
  const whens = names.map((n, i) => `WHEN ${i + base} THEN '${short ? n.slice(0, 3) : n}'`).join(" ");
  return `(CASE CAST(strftime('${spec}', ${x}, 'unixepoch') AS INTEGER) ${whens} END)`;
}

/** ClickHouse's formatDateTime specifiers (current versions: %M is the month name, %f is 6 zeros). */
function specifier(ch: string, x: string): string | null {
  const st = (spec: string): string => `strftime('${spec}', ${x}, 'unixepoch')`;
  const direct: Record<string, string> = {
    c: "%m", d: "%d", e: "%e", F: "%Y-%m-%d", G: "%G", h: "%I", H: "%H", i: "%M", I: "%I", j: "%j", k: "%k", l: "%l",
    m: "%m", p: "%p", r: "%I:%M %p", R: "%H:%M", s: "%S", S: "%S", T: "%H:%M:%S", u: "%u", V: "%V", w: "%w", Y: "%Y",
  };
  const spec = direct[ch];
  if (spec !== undefined) return st(spec);
  switch (ch) {
    case "a": return named(x, "%w", DAYS, 0, true);
    case "W": return named(x, "%w", DAYS, 0, false);
    case "b": return named(x, "%m", MONTHS, 1, true);
    case "M": return named(x, "%m", MONTHS, 1, false);
    case "C": return `printf('%02d', CAST(${st("%Y")} AS INTEGER) / 100)`;
    case "y": return `substr(${st("%Y")}, 3)`;
    case "g": return `substr(${st("%G")}, 3)`;
    case "D": return `(${st("%m/%d/")} || substr(${st("%Y")}, 3))`;
    case "Q": return `CAST((CAST(${st("%m")} AS INTEGER) + 2) / 3 AS TEXT)`;
    case "f": return "'000000'";
    case "z": return "'+0000'";
    case "n": return "char(10)";
    case "t": return "char(9)";
    case "%": return "'%'";
    default: return null;
  }
}

function formatDateTime(ctx: Parameters<Impl>[0], args: Expr[]): Fragment {
  arity("formatDateTime", args, 2, 3);
  utcOnly("formatDateTime", args[2]);
  const x = timeArg(ctx, "formatDateTime", args[0]).sql;
  const fmt = args[1];
  if (fmt?.kind !== "str") throw new SqlError("formatDateTime needs a constant format string");
  const parts: string[] = [];
  let text = "";
  const flush = (): void => { if (text !== "") parts.push(ctx.param(text)); text = ""; };
  for (let i = 0; i < fmt.value.length; i++) {
    const ch = fmt.value.charAt(i);
    if (ch !== "%") { text += ch; continue; }
    const next = fmt.value.charAt(++i);
    const sql = specifier(next, x);
    if (sql === null) throw new SqlError(`formatDateTime: the format specifier %${next} is not supported`);
    flush();
    parts.push(sql);
  }
  flush();
  return { sql: parts.length === 0 ? "''" : `(${balanced(parts, "||")})`, type: "String" };
}

export const DATE_FUNCTIONS: Record<string, Impl> = {
  now: (ctx, args) => { arity("now", args, 0, 1); utcOnly("now", args[0]); return { sql: ctx.param(ctx.now), type: "DateTime" }; },
  today: (ctx, args) => { arity("today", args, 0); return { sql: floorSeconds(ctx.param(ctx.now), 86_400), type: "Date" }; },
  todatetime: (ctx, args) => {
    arity("toDateTime", args, 1, 2);
    utcOnly("toDateTime", args[1]);
    const f = arg(ctx, args, 0);
    if (f.literal !== undefined) {
      // '355924804' is a unix timestamp, as in the reference's examples.
      const s = /^\d+$/.test(f.literal.trim()) ? Number(f.literal) : parseDateTime(f.literal);
      if (s === null) throw new SqlError(`Cannot parse '${f.literal}' as DateTime: use 'YYYY-MM-DD hh:mm:ss'`);
      return { sql: ctx.param(s), type: "DateTime" };
    }
    if (isTime(f.type) || isNumeric(f.type)) return { sql: `CAST(${f.sql} AS INTEGER)`, type: "DateTime" };
    if (f.type !== "String") throw new SqlError(`Illegal type ${f.type} of argument of function toDateTime`);
    return { sql: `(CASE WHEN ${f.sql} GLOB '[0-9]*' AND NOT ${f.sql} GLOB '*[^0-9]*' THEN CAST(${f.sql} AS INTEGER) ELSE CAST(strftime('%s', ${f.sql}) AS INTEGER) END)`, type: "DateTime" };
  },
  todate: startOf("toDate", "Date", (x) => floorSeconds(x, 86_400)),
  tostartofinterval: (ctx, args) => {
    arity("toStartOfInterval", args, 2, 3);
    utcOnly("toStartOfInterval", args[2]);
    const x = timeArg(ctx, "toStartOfInterval", args[0]).sql;
    const iv = arg(ctx, args, 1).interval;
    if (iv === undefined) throw new SqlError("toStartOfInterval needs an INTERVAL as its second argument");
    if (iv.n === 0) throw new SqlError("toStartOfInterval needs a positive INTERVAL");
    return { sql: startOfInterval(x, iv.n, iv.unit), type: "DateTime" };
  },
  tostartofminute: startOf("toStartOfMinute", "DateTime", (x) => floorSeconds(x, 60)),
  tostartoffiveminutes: startOf("toStartOfFiveMinutes", "DateTime", (x) => floorSeconds(x, 300)),
  tostartoftenminutes: startOf("toStartOfTenMinutes", "DateTime", (x) => floorSeconds(x, 600)),
  tostartoffifteenminutes: startOf("toStartOfFifteenMinutes", "DateTime", (x) => floorSeconds(x, 900)),
  tostartofhour: startOf("toStartOfHour", "DateTime", (x) => floorSeconds(x, 3600)),
  tostartofday: startOf("toStartOfDay", "DateTime", (x) => floorSeconds(x, 86_400)),
  // AE's reference: "Treats Monday as the first day of the week". ClickHouse's optional mode
  // argument still picks Sunday for even modes.
  tostartofweek: (ctx, args) => {
    arity("toStartOfWeek", args, 1, 3);
    const mode = args[1]?.kind === "num" ? constInteger("toStartOfWeek mode", args[1]) : 1;
    utcOnly("toStartOfWeek", args[1]?.kind === "str" ? args[1] : args[2]);
    return { sql: floorSeconds(timeArg(ctx, "toStartOfWeek", args[0]).sql, 604_800, mode % 2 === 1 ? MONDAY_ORIGIN : SUNDAY_ORIGIN), type: "Date" };
  },
  tomonday: startOf("toMonday", "Date", (x) => floorSeconds(x, 604_800, MONDAY_ORIGIN)),
  tostartofmonth: startOf("toStartOfMonth", "Date", (x) => floorMonths(x, 1)),
  tostartofquarter: startOf("toStartOfQuarter", "Date", (x) => floorMonths(x, 3)),
  tostartofyear: startOf("toStartOfYear", "Date", (x) => floorMonths(x, 12)),
  tounixtimestamp: (ctx, args) => {
    arity("toUnixTimestamp", args, 1, 2);
    utcOnly("toUnixTimestamp", args[1]);
    return { sql: timeArg(ctx, "toUnixTimestamp", args[0]).sql, type: "UInt32" };
  },
  toyear: field("toYear", "%Y", "UInt16"),
  toquarter: (ctx, args) => { arity("toQuarter", args, 1); return { sql: `((CAST(strftime('%m', ${timeArg(ctx, "toQuarter", args[0]).sql}, 'unixepoch') AS INTEGER) + 2) / 3)`, type: "UInt8" }; },
  tomonth: field("toMonth", "%m", "UInt8"),
  todayofyear: field("toDayOfYear", "%j", "UInt16"),
  todayofmonth: field("toDayOfMonth", "%d", "UInt8"),
  todayofweek: field("toDayOfWeek", "%u", "UInt8"),
  tohour: field("toHour", "%H", "UInt8"),
  tominute: field("toMinute", "%M", "UInt8"),
  tosecond: field("toSecond", "%S", "UInt8"),
  toyyyymm: field("toYYYYMM", "%Y%m", "UInt32"),
  toyyyymmdd: field("toYYYYMMDD", "%Y%m%d", "UInt32"),
  formatdatetime: (ctx, args) => formatDateTime(ctx, args),
};

/** extract(UNIT FROM t), which the parser turns into extract('UNIT', t). */
const EXTRACTS: Record<string, string> = { YEAR: "toyear", MONTH: "tomonth", DAY: "todayofmonth", HOUR: "tohour", MINUTE: "tominute", SECOND: "tosecond" };
DATE_FUNCTIONS.extract = (ctx, args, params, distinct) => {
  const unit = args[0]?.kind === "str" ? args[0].value.toUpperCase() : "";
  const impl = DATE_FUNCTIONS[EXTRACTS[unit] ?? ""];
  if (impl === undefined) throw new SqlError(`extract supports YEAR, MONTH, DAY, HOUR, MINUTE and SECOND, got ${unit || "something else"}`);
  return impl(ctx, [args[1] ?? NULL_EXPR], params, distinct);
};
