/**
 * ClickHouse's NOT_AN_AGGREGATE check: in a query that groups or aggregates, every column
 * read outside an aggregate must be part of a GROUP BY key. SQLite would silently pick a
 * row instead, so the local AE refuses such queries as ClickHouse does, naming the column.
 */
import type { Expr, SelectItem, SelectStatement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { children } from "./expr-walk.ts";
import { isAggregate } from "./functions.ts";

/** Replaces aliases by their definitions; inside its own definition an alias means the column. */
export function expand(e: Expr, aliases: Map<string, Expr>, seen: Set<string> = new Set()): Expr {
  const go = (x: Expr): Expr => expand(x, aliases, seen);
  switch (e.kind) {
    case "ident": {
      // A qualified name is always the column: aliases are not qualified.
      if (e.table !== undefined) return { kind: "ident", name: e.name };
      const def = aliases.get(e.name);
      if (def === undefined || seen.has(e.name)) return e;
      return expand(def, aliases, new Set([...seen, e.name]));
    }
    case "call": return { ...e, name: e.name.toLowerCase(), params: e.params?.map(go) ?? null, args: e.args.map(go) };
    case "interval": return { ...e, value: go(e.value) };
    case "unary": return { ...e, expr: go(e.expr) };
    case "binary": return { ...e, left: go(e.left), right: go(e.right) };
    case "in": return { ...e, expr: go(e.expr), list: e.list.map(go) };
    case "like": return { ...e, expr: go(e.expr), pattern: go(e.pattern) };
    case "between": return { ...e, expr: go(e.expr), low: go(e.low), high: go(e.high) };
    case "isnull": return { ...e, expr: go(e.expr) };
    default: return e;
  }
}

export function hasAggregate(e: Expr): boolean {
  return (e.kind === "call" && isAggregate(e.name)) || children(e).some(hasAggregate);
}

/** Same key for the same expression however it was spelled (case of names, aliases, num text). */
function key(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === "text" ? undefined : v));
}

export function checkGrouping(stmt: SelectStatement, items: SelectItem[], aliases: Map<string, Expr>): void {
  const positional = (e: Expr): Expr => (e.kind === "num" ? items[e.value - 1]?.expr ?? e : e);
  const select = items.map((i) => expand(i.expr, aliases, new Set(i.alias === null ? [] : [i.alias])));
  const having = stmt.having === null ? [] : [expand(stmt.having, aliases)];
  const order = stmt.orderBy.map((o) => expand(positional(o.expr), aliases));
  if (stmt.groupBy.length === 0 && ![...select, ...having, ...order].some(hasAggregate)) return;
  const keys = new Set(stmt.groupBy.map((g) => key(expand(positional(g), aliases))));
  const check = (e: Expr): void => {
    if (keys.has(key(e)) || (e.kind === "call" && isAggregate(e.name))) return;
    if (e.kind === "ident") {
      throw new SqlError(`Column \`${e.name}\` is not under aggregate function and not in GROUP BY (NOT_AN_AGGREGATE): ` +
        "add it to GROUP BY or wrap it in an aggregate (min, max, argMax, …)");
    }
    children(e).forEach(check);
  };
  select.forEach(check);
  having.forEach(check);
  // Without GROUP BY the answer is one row, so its ORDER BY orders nothing; AE's reference
  // itself writes `SELECT first_value(blob1) FROM t ORDER BY timestamp ASC`, so allow it.
  if (stmt.groupBy.length > 0) order.forEach(check);
}

/** True when an expression reads no column (so it is one value for the whole query). */
export function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case "num": case "str": case "null": case "interval": return true;
    case "ident": case "star": return false;
    case "call": return !isAggregate(e.name) && e.args.every(isConstant);
    case "unary": return isConstant(e.expr);
    case "binary": return isConstant(e.left) && isConstant(e.right);
    default: return false;
  }
}
