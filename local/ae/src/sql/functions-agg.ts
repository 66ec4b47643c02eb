/**
 * Aggregate functions. Those SQLite lacks (weighted quantiles, argMin/argMax, first/last
 * value, topK) are correlated subqueries over the outer row's group (ctx.perGroup).
 * Over no rows, non-Nullable results take their type's default as in ClickHouse
 * (0, '', 1970-01-01 00:00:00, []); avg of nothing is nan, which renders as null.
 */
import type { Expr } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type FunctionContext, type Impl, NULL_EXPR, aggregate, arg, arity, constInteger, constNumber } from "./function-kit.ts";
import { type Fragment, type SqlType, defaultValue, elementType, isInteger, isScalar, isNumeric, isTime, isUnsigned } from "./types.ts";

function sumOf(sql: string, type: SqlType, distinct = false): Fragment {
  const d = distinct ? "DISTINCT " : "";
  if (type === "Float64") return { sql: `TOTAL(${d}${sql})`, type };
  if (isInteger(type)) return { sql: `COALESCE(SUM(${d}${sql}), 0)`, type: isUnsigned(type) ? "UInt64" : "Int64" };
  throw new SqlError(`Illegal type ${type} of argument for aggregate function sum`);
}

function scalar(f: Fragment, name: string): Fragment {
  if (elementType(f.type) !== null || f.type === "Interval") throw new SqlError(`Illegal type ${f.type} of argument for aggregate function ${name}`);
  return f;
}

/**
 * ClickHouse's quantileExactWeighted: sort by x, the first x whose running weight reaches
 * q × total. One sorted pass per column and group keys, shared by every level asked of
 * it (p50, p95 and p99 of the same column sort once): equal values are summed first, then
 * a running sum over the distinct values. Each level is a small per-group table, looked
 * up by the outer row's group keys (a correlated scan per group would cost O(groups × rows)).
 */
function quantile(ctx: FunctionContext, q: number, x: Expr, w: Expr): Fragment {
  if (q < 0 || q > 1) throw new SqlError("Quantile level must be between 0 and 1");
  const { value: [xs, ws], where, own, theirs, table: source } = ctx.groupKeys(() => [ctx.translate(x), ctx.translate(w)] as const);
  if (!isNumeric(xs.type) && !isTime(xs.type)) throw new SqlError(`Quantile needs a number, got ${xs.type}`);
  if (!isNumeric(ws.type)) throw new SqlError(`Quantile weight must be a number, got ${ws.type}`);
  const weight = `CAST(${ws.sql} AS INTEGER)`;
  const keyNames = own.map((_, i) => `k${i}`);
  const keys = own.map((k, i) => `${k} AS k${i}`);
  const partition = keyNames.length === 0 ? "" : `PARTITION BY ${keyNames.join(", ")} `;
  const grouped = `SELECT ${[...keys, `${xs.sql} AS v`, `SUM(${weight}) AS w`].join(", ")} FROM ${source} AS s${where === "" ? "" : ` WHERE ${where}`} GROUP BY ${[...keyNames, "v"].join(", ")}`;
  const distribution = ctx.cte(
    `SELECT ${[...keyNames, "v"].join(", ")}, SUM(w) OVER (${partition}ORDER BY v) AS cum, SUM(w) OVER (${partition.trimEnd()}) AS total FROM (${grouped})`);
  const table = ctx.cte(
    `SELECT ${[...keyNames, "MIN(v) AS v"].join(", ")} FROM ${distribution} WHERE cum >= ${q} * total${keyNames.length === 0 ? "" : ` GROUP BY ${keyNames.join(", ")}`}`);
  const match = theirs.map((t, i) => `${table}.k${i} IS ${t}`);
  const sql = `(SELECT v FROM ${table}${match.length === 0 ? "" : ` WHERE ${match.join(" AND ")}`})`;
  return { sql, type: isTime(xs.type) ? xs.type : "Float64" };
}

/** The value of `x` on the group's first row by `order` (argMax, argMin, first_value, last_value). */
function pick(ctx: FunctionContext, name: string, x: Expr, order: () => string): Fragment {
  const { value: [xs, by], from } = ctx.perGroup(() => [scalar(ctx.translate(x), name), order()] as const);
  return { sql: `COALESCE((SELECT ${xs.sql} ${from} ORDER BY ${by} LIMIT 1), ${defaultValue(xs.type)})`, type: xs.type };
}

function argExtreme(name: string, desc: boolean): Impl {
  return (ctx, args) => aggregate(name, ctx, () => {
    arity(name, args, 2);
    return pick(ctx, name, args[0] ?? NULL_EXPR, () => `${scalar(ctx.translate(args[1] ?? NULL_EXPR), name).sql}${desc ? " DESC" : ""}`);
  });
}

function firstLast(name: string, last: boolean): Impl {
  // "First" is in time order, then in insertion order (AE's storage is ordered by time);
  // over a FROM (subquery), in the order of its rows.
  return (ctx, args) => aggregate(name, ctx, () => {
    arity(name, args, 1);
    return pick(ctx, name, args[0] ?? NULL_EXPR, () => ctx.rowOrder(last));
  });
}

/** topK: exact counts (ClickHouse's is approximate past N × 3 distinct values), ties by value. */
function topK(ctx: FunctionContext, name: string, params: Expr[] | null, x: Expr, w: Expr | null): Fragment {
  if (params !== null && params.length > 1) throw new SqlError(`${name} takes one parameter, N (load_factor and counts are not supported locally)`);
  const n = params === null || params[0] === undefined ? 10 : constInteger(`${name} N`, params[0]);
  if (n < 1 || n > 65_536) throw new SqlError(`${name}: N must be between 1 and 65536`);
  const { value: [xs, ws], from } = ctx.perGroup(() => [scalar(ctx.translate(x), name), w === null ? null : ctx.translate(w)] as const);
  if (ws !== null && !isInteger(ws.type)) throw new SqlError(`${name}: the weight must be an integer, got ${ws.type}`);
  const weight = ws === null ? "COUNT(*)" : `SUM(${ws.sql})`;
  const sql = `(SELECT json_group_array(v ORDER BY n DESC, v) FROM (SELECT ${xs.sql} AS v, ${weight} AS n ${from} GROUP BY v ORDER BY n DESC, v LIMIT ${n}))`;
  return { sql, type: arrayOf(xs.type) };
}

function arrayOf(t: SqlType): SqlType {
  if (!isScalar(t) || t === "Interval") throw new SqlError(`Arrays of ${t} are not supported`);
  return t === "Nothing" ? "Array(String)" : `Array(${t})`;
}

export const AGGREGATE_FUNCTIONS: Record<string, Impl> = {
  count: (ctx, args, _p, distinct) => aggregate("count", ctx, () => {
    arity("count", args, 0, 1);
    const a = args[0];
    if (a === undefined || a.kind === "star") {
      if (distinct) throw new SqlError("count(DISTINCT) needs an expression");
      return { sql: "COUNT(*)", type: "UInt64" };
    }
    return { sql: `COUNT(${distinct ? "DISTINCT " : ""}${ctx.translate(a).sql})`, type: "UInt64" };
  }),
  countif: (ctx, args) => aggregate("countIf", ctx, () => {
    arity("countIf", args, 1);
    return { sql: `COUNT(CASE WHEN ${arg(ctx, args, 0).sql} THEN 1 END)`, type: "UInt64" };
  }),
  sum: (ctx, args, _p, distinct) => aggregate("sum", ctx, () => {
    arity("sum", args, 1);
    const f = arg(ctx, args, 0);
    return sumOf(f.sql, f.type, distinct);
  }),
  sumif: (ctx, args) => aggregate("sumIf", ctx, () => {
    arity("sumIf", args, 2);
    const f = arg(ctx, args, 0);
    return sumOf(`CASE WHEN ${arg(ctx, args, 1).sql} THEN ${f.sql} END`, f.type);
  }),
  avg: (ctx, args, _p, distinct) => aggregate("avg", ctx, () => {
    arity("avg", args, 1);
    const f = arg(ctx, args, 0);
    if (!isNumeric(f.type)) throw new SqlError(`Illegal type ${f.type} of argument for aggregate function avg`);
    return { sql: `AVG(${distinct ? "DISTINCT " : ""}${f.sql})`, type: "Float64" };
  }),
  avgif: (ctx, args) => aggregate("avgIf", ctx, () => {
    arity("avgIf", args, 2);
    return { sql: `AVG(CASE WHEN ${arg(ctx, args, 1).sql} THEN ${arg(ctx, args, 0).sql} END)`, type: "Float64" };
  }),
  min: (ctx, args, _p, distinct) => aggregate("min", ctx, () => {
    arity("min", args, 1);
    const f = scalar(arg(ctx, args, 0), "min");
    return { sql: `COALESCE(MIN(${distinct ? "DISTINCT " : ""}${f.sql}), ${defaultValue(f.type)})`, type: f.type };
  }),
  max: (ctx, args, _p, distinct) => aggregate("max", ctx, () => {
    arity("max", args, 1);
    const f = scalar(arg(ctx, args, 0), "max");
    return { sql: `COALESCE(MAX(${distinct ? "DISTINCT " : ""}${f.sql}), ${defaultValue(f.type)})`, type: f.type };
  }),
  uniq: (ctx, args) => aggregate("uniq", ctx, () => { arity("uniq", args, 1); return { sql: `COUNT(DISTINCT ${arg(ctx, args, 0).sql})`, type: "UInt64" }; }),
  quantileexactweighted: (ctx, args, params) => aggregate("quantileExactWeighted", ctx, () => {
    if (params === null || params.length !== 1) throw new SqlError("quantileExactWeighted takes a level: quantileExactWeighted(q)(x, weight)");
    arity("quantileExactWeighted", args, 2);
    return quantile(ctx, constNumber("quantileExactWeighted level", params[0]), args[0] ?? NULL_EXPR, args[1] ?? NULL_EXPR);
  }),
  quantileweighted: (ctx, args) => aggregate("quantileWeighted", ctx, () => {
    arity("quantileWeighted", args, 3);
    return quantile(ctx, constNumber("quantileWeighted level", args[0]), args[1] ?? NULL_EXPR, args[2] ?? NULL_EXPR);
  }),
  argmax: argExtreme("argMax", true),
  argmin: argExtreme("argMin", false),
  first_value: firstLast("first_value", false),
  last_value: firstLast("last_value", true),
  topk: (ctx, args, params) => aggregate("topK", ctx, () => {
    arity("topK", args, 1);
    return topK(ctx, "topK", params, args[0] ?? NULL_EXPR, null);
  }),
  topkweighted: (ctx, args, params) => aggregate("topKWeighted", ctx, () => {
    arity("topKWeighted", args, 2);
    return topK(ctx, "topKWeighted", params, args[0] ?? NULL_EXPR, args[1] ?? NULL_EXPR);
  }),
};

/** Aggregates that take a parameter list: name(params)(args). */
export const PARAMETRIC = new Set(["quantileexactweighted", "topk", "topkweighted"]);
/** Aggregates that accept name(DISTINCT x), as AE's reference documents for count, sum and avg. */
export const DISTINCT_OK = new Set(["count", "sum", "avg", "min", "max"]);
