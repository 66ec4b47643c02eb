/**
 * What every function family (functions-*.ts) shares: the translator's interface, arity
 * and constant checks, the aggregate guard, and a way to fail at run time as ClickHouse
 * does (division by zero) although SQLite has no RAISE outside triggers.
 */
import type { Expr } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type Fragment, type SqlType, isInteger, isNumeric, isTime, parseDateTime } from "./types.ts";

export interface FunctionContext {
  translate(e: Expr): Fragment;
  param(value: string | number): string;
  now: number;
  /** Set while an aggregate's arguments are translated, so nesting is refused. */
  inAggregate: boolean;
  /** The clause being translated, so aggregates outside SELECT/HAVING/ORDER BY are refused. */
  clause: string;
  /**
   * Runs `inner` with column references bound to a second scan of the table, and returns
   * the `FROM … WHERE …` that restricts that scan to the outer row's group (same WHERE,
   * same GROUP BY keys). Aggregates SQLite lacks are correlated subqueries over it.
   */
  perGroup<T>(inner: () => T): { value: T; from: string };
  /**
   * Like perGroup, in parts: the query's WHERE and each GROUP BY key over the second
   * scan (`own`, alias s, of `table`) and over the outer row (`theirs`), for a per-group table.
   */
  groupKeys<T>(inner: () => T): { value: T; where: string; own: string[]; theirs: string[]; table: string };
  /** ORDER BY terms over the second scan (alias s) for its first row: first in time, or in the subquery's order. */
  rowOrder(desc: boolean): string;
  /** Adds a common table expression computed once per query; returns its name. */
  cte(body: string): string;
}

export type Impl = (ctx: FunctionContext, args: Expr[], params: Expr[] | null, distinct: boolean) => Fragment;

export const NULL_EXPR: Expr = { kind: "null" };

/**
 * `a op b op c …` as a balanced tree of parentheses, for associative operators: SQLite
 * in Durable Objects refuses expressions nested more than 100 deep, and a left-deep
 * chain nests one level per term.
 */
export function balanced(terms: string[], op: string): string {
  if (terms.length <= 1) return terms[0] ?? "";
  const mid = Math.ceil(terms.length / 2);
  return `(${balanced(terms.slice(0, mid), op)} ${op} ${balanced(terms.slice(mid), op)})`;
}

export function arity(name: string, args: Expr[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new SqlError(`Function ${name} takes ${want} argument(s), got ${args.length}`);
  }
}

export function arg(ctx: FunctionContext, args: Expr[], i: number): Fragment {
  return ctx.translate(args[i] ?? NULL_EXPR);
}

export function constNumber(name: string, e: Expr | undefined): number {
  if (e?.kind === "num") return e.value;
  if (e?.kind === "unary" && e.op === "-" && e.expr.kind === "num") return -e.expr.value;
  if (e?.kind === "str" && e.value.trim() !== "" && !Number.isNaN(Number(e.value))) return Number(e.value);
  throw new SqlError(`${name} needs a constant number`);
}

export function constInteger(name: string, e: Expr | undefined): number {
  const n = constNumber(name, e);
  if (!Number.isInteger(n)) throw new SqlError(`${name} needs a constant integer, got ${n}`);
  return n;
}

export function needNumber(name: string, f: Fragment): Fragment {
  if (!isNumeric(f.type)) throw new SqlError(`Illegal type ${f.type} of argument of function ${name}: it needs a number`);
  return f;
}
export function needInteger(name: string, f: Fragment): Fragment {
  if (!isInteger(f.type)) throw new SqlError(`Illegal type ${f.type} of argument of function ${name}: it needs an integer`);
  return f;
}
export function needString(name: string, f: Fragment): Fragment {
  if (f.type !== "String") throw new SqlError(`Illegal type ${f.type} of argument of function ${name}: it needs a String`);
  return f;
}

/** A DateTime argument; a 'YYYY-MM-DD hh:mm:ss' literal is read as one, as ClickHouse does. */
export function timeArg(ctx: FunctionContext, name: string, e: Expr | undefined): Fragment {
  if (e === undefined) throw new SqlError(`Function ${name} needs a DateTime argument`);
  const f = ctx.translate(e);
  if (isTime(f.type)) return f;
  if (f.literal !== undefined) {
    const s = parseDateTime(f.literal);
    if (s !== null) return { sql: ctx.param(s), type: "DateTime" };
  }
  throw new SqlError(`Illegal type ${f.type} of argument of function ${name}: it needs a DateTime`);
}

export function aggregate(name: string, ctx: FunctionContext, build: () => Fragment): Fragment {
  if (ctx.inAggregate) throw new SqlError(`Aggregate function ${name} is found inside another aggregate function`);
  if (ctx.clause === "WHERE" || ctx.clause === "GROUP BY") throw new SqlError(`Aggregate function ${name} is not allowed in ${ctx.clause}`);
  ctx.inAggregate = true;
  try { return { ...build(), aggregate: true }; } finally { ctx.inAggregate = false; }
}

/** The marker engine.ts looks for in SQLite's error text to answer a 400 with the message. */
export const RAISED = /bad JSON path: '(Code: \d+\. DB::Exception: [^']*)'/;

/**
 * SQL that fails the query with `message` when evaluated. json_extract rejects a bad
 * path with an error that quotes it. The path depends on `row` (an empty string built
 * from it) so SQLite cannot hoist the call out of the CASE branch as a constant.
 */
export function raise(ctx: FunctionContext, message: string, row: string): string {
  return `json_extract('{}', ${ctx.param(message)} || substr(${row}, 1, 0))`;
}

/** The smallest type that holds both branches of if/multiIf, as ClickHouse's common supertype. */
export function commonType(a: SqlType, b: SqlType): SqlType {
  if (a === b || b === "Nothing") return a;
  if (a === "Nothing") return b;
  if (isNumeric(a) && isNumeric(b)) return a === "Float64" || b === "Float64" ? "Float64" : isInteger(a) && isInteger(b) && a !== "Int64" && b !== "Int64" ? "UInt64" : "Int64";
  if (isTime(a) && isTime(b)) return "DateTime";
  throw new SqlError(`There is no supertype for types ${a}, ${b}: both branches must be of a similar type`);
}
