/**
 * The AE dialect's functions, each translated to SQLite. Names match case-insensitively.
 * DateTime values are epoch seconds in SQLite (ClickHouse's DateTime has 1 s resolution).
 */
import type { Expr, IntervalUnit } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type Fragment, type SqlType, UNIT_MONTHS, UNIT_SECONDS, isInteger, isNumeric, isTime, isUnsigned, parseDateTime } from "./types.ts";

export interface FunctionContext {
  translate(e: Expr): Fragment;
  param(value: string | number): string;
  now: number;
  /** Weighted quantile over the current group, as a correlated subquery (translate.ts). */
  quantile(q: number, x: Expr, w: Expr): Fragment;
  /** The clause being translated, so aggregates outside SELECT/HAVING/ORDER BY are refused. */
  inAggregate: boolean;
  clause: string;
}

type Impl = (ctx: FunctionContext, args: Expr[], params: Expr[] | null) => Fragment;

function arity(name: string, args: Expr[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new SqlError(`Function ${name} takes ${want} argument(s), got ${args.length}`);
  }
}

function constNumber(name: string, e: Expr | undefined): number {
  if (e?.kind === "num") return e.value;
  if (e?.kind === "str" && e.value.trim() !== "" && !Number.isNaN(Number(e.value))) return Number(e.value);
  throw new SqlError(`${name} needs a constant number`);
}

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

function timeArg(ctx: FunctionContext, name: string, e: Expr | undefined): string {
  if (e === undefined) throw new SqlError(`Function ${name} needs a DateTime argument`);
  const f = ctx.translate(e);
  if (isTime(f.type)) return f.sql;
  if (f.literal !== undefined) {
    const s = parseDateTime(f.literal);
    if (s !== null) return ctx.param(s);
  }
  throw new SqlError(`Function ${name} needs a DateTime argument, got ${f.type}`);
}

function startOf(name: string, type: SqlType, build: (x: string) => string): Impl {
  return (ctx, args) => { arity(name, args, 1, 2); return { sql: build(timeArg(ctx, name, args[0])), type }; };
}

function aggregate(name: string, ctx: FunctionContext, build: () => Fragment): Fragment {
  if (ctx.inAggregate) throw new SqlError(`Aggregate function ${name} is found inside another aggregate function`);
  if (ctx.clause === "WHERE" || ctx.clause === "GROUP BY") throw new SqlError(`Aggregate function ${name} is not allowed in ${ctx.clause}`);
  ctx.inAggregate = true;
  try { return { ...build(), aggregate: true }; } finally { ctx.inAggregate = false; }
}

function sumOf(sql: string, type: SqlType): Fragment {
  if (type === "Float64") return { sql: `TOTAL(${sql})`, type };
  if (isInteger(type)) return { sql: `COALESCE(SUM(${sql}), 0)`, type: isUnsigned(type) ? "UInt64" : "Int64" };
  throw new SqlError(`Illegal type ${type} of argument for aggregate function sum`);
}

function toText(f: Fragment): string {
  if (f.type === "DateTime") return `strftime('%Y-%m-%d %H:%M:%S', ${f.sql}, 'unixepoch')`;
  if (f.type === "Date") return `strftime('%Y-%m-%d', ${f.sql}, 'unixepoch')`;
  // ClickHouse prints whole floats without ".0".
  if (f.type === "Float64") return `(CASE WHEN ${f.sql} = CAST(${f.sql} AS INTEGER) THEN CAST(CAST(${f.sql} AS INTEGER) AS TEXT) ELSE CAST(${f.sql} AS TEXT) END)`;
  return `CAST(${f.sql} AS TEXT)`;
}

function cast(type: SqlType, name: string): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const f = ctx.translate(args[0] ?? { kind: "null" });
    return { sql: type === "Float64" ? `CAST(${f.sql} AS REAL)` : `CAST(${f.sql} AS INTEGER)`, type };
  };
}

const FUNCTIONS: Record<string, Impl> = {
  now: (ctx, args) => { arity("now", args, 0); return { sql: ctx.param(ctx.now), type: "DateTime" }; },
  today: (ctx, args) => { arity("today", args, 0); return { sql: floorSeconds(ctx.param(ctx.now), 86_400), type: "Date" }; },
  todatetime: (ctx, args) => {
    arity("toDateTime", args, 1, 2);
    const f = ctx.translate(args[0] ?? { kind: "null" });
    if (f.literal !== undefined) {
      const s = parseDateTime(f.literal);
      if (s === null) throw new SqlError(`Cannot parse '${f.literal}' as DateTime: use 'YYYY-MM-DD hh:mm:ss'`);
      return { sql: ctx.param(s), type: "DateTime" };
    }
    if (isTime(f.type) || isNumeric(f.type)) return { sql: `CAST(${f.sql} AS INTEGER)`, type: "DateTime" };
    return { sql: `CAST(strftime('%s', ${f.sql}) AS INTEGER)`, type: "DateTime" };
  },
  todate: startOf("toDate", "Date", (x) => floorSeconds(x, 86_400)),
  tostartofinterval: (ctx, args) => {
    arity("toStartOfInterval", args, 2, 3);
    const x = timeArg(ctx, "toStartOfInterval", args[0]);
    const iv = ctx.translate(args[1] ?? { kind: "null" }).interval;
    if (iv === undefined) throw new SqlError("toStartOfInterval needs an INTERVAL as its second argument");
    return { sql: startOfInterval(x, iv.n, iv.unit), type: "DateTime" };
  },
  tostartofminute: startOf("toStartOfMinute", "DateTime", (x) => floorSeconds(x, 60)),
  tostartoffiveminutes: startOf("toStartOfFiveMinutes", "DateTime", (x) => floorSeconds(x, 300)),
  tostartoffifteenminutes: startOf("toStartOfFifteenMinutes", "DateTime", (x) => floorSeconds(x, 900)),
  tostartofhour: startOf("toStartOfHour", "DateTime", (x) => floorSeconds(x, 3600)),
  tostartofday: startOf("toStartOfDay", "DateTime", (x) => floorSeconds(x, 86_400)),
  tostartofweek: startOf("toStartOfWeek", "Date", (x) => floorSeconds(x, 604_800, SUNDAY_ORIGIN)),
  tomonday: startOf("toMonday", "Date", (x) => floorSeconds(x, 604_800, MONDAY_ORIGIN)),
  tostartofmonth: startOf("toStartOfMonth", "Date", (x) => floorMonths(x, 1)),
  tostartofquarter: startOf("toStartOfQuarter", "Date", (x) => floorMonths(x, 3)),
  tostartofyear: startOf("toStartOfYear", "Date", (x) => floorMonths(x, 12)),
  tounixtimestamp: (ctx, args) => { arity("toUnixTimestamp", args, 1); return { sql: timeArg(ctx, "toUnixTimestamp", args[0]), type: "UInt32" }; },
  intdiv: (ctx, args) => {
    arity("intDiv", args, 2);
    const [a, b] = args.map((e) => ctx.translate(e));
    if (a === undefined || b === undefined || !isNumeric(a.type) || !isNumeric(b.type)) throw new SqlError("intDiv needs two numbers");
    const type: SqlType = isUnsigned(a.type) && isUnsigned(b.type) ? a.type : "Int64";
    return { sql: `CAST(CAST(${a.sql} AS REAL) / ${b.sql} AS INTEGER)`, type };
  },
  if: (ctx, args) => {
    arity("if", args, 3);
    const [c, a, b] = args.map((e) => ctx.translate(e));
    if (c === undefined || a === undefined || b === undefined) throw new SqlError("if takes 3 arguments");
    const type: SqlType = a.type === b.type ? a.type : isNumeric(a.type) && isNumeric(b.type) ? "Float64" : a.type === "Nothing" ? b.type : a.type;
    return { sql: `(CASE WHEN ${c.sql} THEN ${a.sql} ELSE ${b.sql} END)`, type };
  },
  touint32: cast("UInt32", "toUInt32"),
  touint64: cast("UInt64", "toUInt64"),
  toint64: cast("Int64", "toInt64"),
  tofloat64: cast("Float64", "toFloat64"),
  tostring: (ctx, args) => { arity("toString", args, 1); return { sql: toText(ctx.translate(args[0] ?? { kind: "null" })), type: "String" }; },
  lower: (ctx, args) => { arity("lower", args, 1); return { sql: `LOWER(${ctx.translate(args[0] ?? { kind: "null" }).sql})`, type: "String" }; },
  upper: (ctx, args) => { arity("upper", args, 1); return { sql: `UPPER(${ctx.translate(args[0] ?? { kind: "null" }).sql})`, type: "String" }; },
  // ClickHouse's length() counts bytes, not characters.
  length: (ctx, args) => { arity("length", args, 1); return { sql: `LENGTH(CAST(${ctx.translate(args[0] ?? { kind: "null" }).sql} AS BLOB))`, type: "UInt64" }; },
  abs: (ctx, args) => { arity("abs", args, 1); const f = ctx.translate(args[0] ?? { kind: "null" }); return { sql: `ABS(${f.sql})`, type: f.type }; },

  count: (ctx, args) => aggregate("count", ctx, () => {
    arity("count", args, 0, 1);
    const arg = args[0];
    return { sql: arg === undefined || arg.kind === "star" ? "COUNT(*)" : `COUNT(${ctx.translate(arg).sql})`, type: "UInt64" };
  }),
  countif: (ctx, args) => aggregate("countIf", ctx, () => {
    arity("countIf", args, 1);
    return { sql: `COUNT(CASE WHEN ${ctx.translate(args[0] ?? { kind: "null" }).sql} THEN 1 END)`, type: "UInt64" };
  }),
  sum: (ctx, args) => aggregate("sum", ctx, () => {
    arity("sum", args, 1);
    const f = ctx.translate(args[0] ?? { kind: "null" });
    return sumOf(f.sql, f.type);
  }),
  sumif: (ctx, args) => aggregate("sumIf", ctx, () => {
    arity("sumIf", args, 2);
    const f = ctx.translate(args[0] ?? { kind: "null" });
    return sumOf(`CASE WHEN ${ctx.translate(args[1] ?? { kind: "null" }).sql} THEN ${f.sql} END`, f.type);
  }),
  avg: (ctx, args) => aggregate("avg", ctx, () => { arity("avg", args, 1); return { sql: `AVG(${ctx.translate(args[0] ?? { kind: "null" }).sql})`, type: "Float64" }; }),
  avgif: (ctx, args) => aggregate("avgIf", ctx, () => {
    arity("avgIf", args, 2);
    return { sql: `AVG(CASE WHEN ${ctx.translate(args[1] ?? { kind: "null" }).sql} THEN ${ctx.translate(args[0] ?? { kind: "null" }).sql} END)`, type: "Float64" };
  }),
  min: (ctx, args) => aggregate("min", ctx, () => { arity("min", args, 1); const f = ctx.translate(args[0] ?? { kind: "null" }); return { sql: `MIN(${f.sql})`, type: f.type }; }),
  max: (ctx, args) => aggregate("max", ctx, () => { arity("max", args, 1); const f = ctx.translate(args[0] ?? { kind: "null" }); return { sql: `MAX(${f.sql})`, type: f.type }; }),
  uniq: (ctx, args) => aggregate("uniq", ctx, () => { arity("uniq", args, 1); return { sql: `COUNT(DISTINCT ${ctx.translate(args[0] ?? { kind: "null" }).sql})`, type: "UInt64" }; }),
  quantileexactweighted: (ctx, args, params) => aggregate("quantileExactWeighted", ctx, () => {
    if (params === null || params.length !== 1) throw new SqlError("quantileExactWeighted takes a level: quantileExactWeighted(q)(x, weight)");
    arity("quantileExactWeighted", args, 2);
    return ctx.quantile(constNumber("quantileExactWeighted level", params[0]), args[0] ?? { kind: "null" }, args[1] ?? { kind: "null" });
  }),
  quantileweighted: (ctx, args) => aggregate("quantileWeighted", ctx, () => {
    arity("quantileWeighted", args, 3);
    return ctx.quantile(constNumber("quantileWeighted level", args[0]), args[1] ?? { kind: "null" }, args[2] ?? { kind: "null" });
  }),
};

export function callFunction(ctx: FunctionContext, name: string, args: Expr[], params: Expr[] | null): Fragment {
  const impl = FUNCTIONS[name.toLowerCase()];
  if (impl === undefined) throw new SqlError(`Unknown function ${name}: it is not in the local AE's supported subset`);
  if (params !== null && !name.toLowerCase().startsWith("quantile")) throw new SqlError(`Function ${name} takes no parameters`);
  return impl(ctx, args, params);
}
