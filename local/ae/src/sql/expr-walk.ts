/** The sub-expressions of an expression, for the walks of validate.ts and limits.ts. */
import type { BinaryOp, Expr, SelectStatement } from "./ast.ts";

/** Associative operators: a chain of them is one flat list of terms (as ClickHouse's or(a, b, c)). */
export const ASSOCIATIVE = new Set<BinaryOp>(["AND", "OR", "||"]);

/** The terms of a chain `a op b op c …`, however it is parenthesised (iterative: chains can be long). */
export function chain(e: Expr, op: BinaryOp): Expr[] {
  const out: Expr[] = [];
  const stack = [e];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.kind === "binary" && top.op === op) stack.push(top.right, top.left);
    else out.push(top);
  }
  return out;
}

export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "call": return e.args;
    case "interval": return [e.value];
    case "unary": case "isnull": return [e.expr];
    case "binary": return [e.left, e.right];
    case "in": return [e.expr, ...e.list];
    case "like": return [e.expr, e.pattern];
    case "between": return [e.expr, e.low, e.high];
    default: return [];
  }
}

/** Every top-level expression of one SELECT (not those of its FROM subquery). */
export function clauses(stmt: SelectStatement): Expr[] {
  return [
    ...stmt.items.map((i) => i.expr),
    ...(stmt.where === null ? [] : [stmt.where]),
    ...stmt.groupBy,
    ...(stmt.having === null ? [] : [stmt.having]),
    ...stmt.orderBy.map((o) => o.expr),
  ];
}
