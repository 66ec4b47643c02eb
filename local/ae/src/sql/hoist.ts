/**
 * Functions that SQLite lacks are spelled out with their argument repeated: round() uses
 * it about ten times, bitCount() 64 times. Nested, the SQL text grows as the product, so
 * `round(bitCount(bitCount(x)) / 7, 2)` would pass SQLite's 100 KB statement limit. An
 * argument used more than once is computed once instead, in a one-row subquery
 * (`(SELECT f(_h1_, _h1_) FROM (SELECT <arg> AS _h1_))`), which SQLite never flattens.
 * Arguments with an aggregate stay inline (an aggregate in the subquery would aggregate
 * its one row), as do if/multiIf's, which are evaluated only when their branch is taken.
 */
import type { Expr } from "./ast.ts";
import { isAggregate } from "./functions.ts";
import type { Fragment } from "./types.ts";

/** Shorter arguments (a column) cost less repeated than computed in a subquery. */
const HOIST_MIN_CHARS = 64;
const LAZY = new Set(["if", "multiif"]);

export interface HoistContext {
  translate(e: Expr): Fragment;
  fresh(): string;
  hasAggregate(e: Expr): boolean;
}

/** Constants stay as written: functions read their values (precision, format, interval, zone). */
function isLiteral(e: Expr): boolean {
  return e.kind === "num" || e.kind === "str" || e.kind === "null" || e.kind === "star" || e.kind === "interval" ||
    (e.kind === "unary" && e.op === "-" && e.expr.kind === "num");
}

export function hoistedCall(ctx: HoistContext, name: string, args: Expr[], call: (args: Expr[]) => Fragment): Fragment {
  const lower = name.toLowerCase();
  if (isAggregate(lower) || LAZY.has(lower)) return call(args);
  const bound: { token: string; sql: string }[] = [];
  const passed = args.map((a): Expr => {
    if (isLiteral(a) || ctx.hasAggregate(a)) return a;
    const f = ctx.translate(a);
    const token = ctx.fresh();
    bound.push({ token, sql: f.sql });
    return { kind: "bound", fragment: { ...f, sql: token } };
  });
  const f = call(passed);
  let sql = f.sql;
  const hoisted: string[] = [];
  for (const b of bound) {
    const uses = sql.split(b.token);
    if (uses.length > 2 && b.sql.length >= HOIST_MIN_CHARS) hoisted.push(`${b.sql} AS ${b.token}`);
    else sql = uses.join(b.sql);
  }
  return hoisted.length === 0 ? { ...f, sql } : { ...f, sql: `(SELECT ${sql} FROM (SELECT ${hoisted.join(", ")}))` };
}
