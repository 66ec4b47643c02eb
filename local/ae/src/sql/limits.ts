/**
 * The bounds of the local AE's SQL path, each named in the 400 that refuses a query past
 * it, so no user input ends in a 500. Some are ClickHouse's own defaults (the query
 * size); the rest come from the SQLite under Durable Objects, whose limits are much lower
 * than ClickHouse's (measured in workerd: see ../../README.md).
 */
import type { Expr, SelectStatement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { ASSOCIATIVE, chain, children, clauses } from "./expr-walk.ts";

/** ClickHouse's default max_query_size: the text its parser reads. */
export const MAX_QUERY_BYTES = 262_144;
/** How deep expressions may nest (parentheses, operator chains, function calls). */
export const MAX_EXPR_DEPTH = 200;
/** How deep FROM (subquery) may nest. */
export const MAX_SUBQUERY_DEPTH = 8;
/** ClickHouse's default max_expanded_ast_elements: the AST once aliases are expanded. */
export const MAX_EXPANDED_NODES = 500_000;
/** Durable Object SQLite: statement length, bound parameters, result columns, LIKE pattern bytes. */
export const SQLITE_MAX_SQL_BYTES = 100_000;
export const SQLITE_MAX_PARAMS = 100;
export const SQLITE_MAX_COLUMNS = 100;
export const SQLITE_MAX_LIKE_BYTES = 50;
/** An answer is one RPC from the store (32 MiB at most); stay well under it. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

export function checkQuerySize(sql: string): void {
  const bytes = new TextEncoder().encode(sql).length;
  if (bytes > MAX_QUERY_BYTES) {
    throw new SqlError(`Max query size exceeded: the query is ${bytes} bytes, at most ${MAX_QUERY_BYTES} (ClickHouse's max_query_size)`);
  }
}

export function depthError(): SqlError {
  return new SqlError(`The query nests expressions more than ${MAX_EXPR_DEPTH} deep (the local AE's maximum expression depth)`);
}

/**
 * The parser bounds its own recursion; chains (1+1+…) are loops there, so measure the
 * tree. A chain of AND, OR or || counts as one level: it is translated as a balanced tree.
 */
export function checkDepth(stmt: SelectStatement): void {
  const stack: [Expr, number][] = clauses(stmt).map((e) => [e, 1]);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [e, depth] = top;
    if (depth > MAX_EXPR_DEPTH) throw depthError();
    const flat = (c: Expr): boolean => e.kind === "binary" && c.kind === "binary" && c.op === e.op && ASSOCIATIVE.has(e.op);
    for (const c of children(e)) stack.push([c, flat(c) ? depth : depth + 1]);
  }
  if (stmt.from?.kind === "subquery") checkDepth(stmt.from.select);
}

/**
 * Aliases are expanded where they are used, so `a+a AS b, b+b AS c, …` doubles at each
 * step: count the expanded size first (memoised per alias) and refuse it past ClickHouse's bound.
 */
export function checkExpansion(exprs: Expr[], aliases: Map<string, Expr>): void {
  const sizes = new Map<string, number>();
  const size = (e: Expr, seen: Set<string>): number => {
    if (e.kind === "ident" && e.table === undefined && aliases.has(e.name) && !seen.has(e.name)) {
      const known = sizes.get(e.name);
      if (known !== undefined) return known;
      const def = aliases.get(e.name);
      const n = def === undefined ? 1 : size(def, new Set([...seen, e.name]));
      sizes.set(e.name, n);
      return n;
    }
    // A chain (a OR b OR …) is walked as its list of terms, not one level per term.
    const terms = e.kind === "binary" && ASSOCIATIVE.has(e.op) ? chain(e, e.op) : children(e);
    let n = 1;
    for (const c of terms) n += size(c, seen);
    return Math.min(n, MAX_EXPANDED_NODES + 1);
  };
  let total = 0;
  for (const e of exprs) total += size(e, new Set());
  if (total > MAX_EXPANDED_NODES) {
    throw new SqlError(`The query expands (aliases replaced by their definitions) to more than ${MAX_EXPANDED_NODES} AST elements (ClickHouse's max_expanded_ast_elements)`);
  }
}

export function checkStatementSize(sql: string): void {
  if (sql.length > SQLITE_MAX_SQL_BYTES) throw statementTooLong(sql.length);
}

function statementTooLong(bytes?: number): SqlError {
  return new SqlError(`The query translates to ${bytes === undefined ? "more than" : `${bytes} bytes of`} SQLite, over the local AE's ` +
    `${SQLITE_MAX_SQL_BYTES}-byte statement limit (SQLite in Durable Objects): nest fewer functions that repeat their ` +
    "argument (round, the bit functions, hex/bin…) or shorten long IN lists");
}

/** SQLite's refusals of a statement past one of its limits, as the 400 that names the limit. */
const SQLITE_LIMITS: [RegExp, (m: RegExpExecArray) => SqlError][] = [
  [/statement too long/, () => statementTooLong()],
  [/Expression tree is too large \(maximum depth (\d+)\)/, (m) => new SqlError(`The query's SQLite translation nests expressions more than ` +
    `${m[1] ?? "100"} deep (SQLite's maximum expression depth in Durable Objects): shorten chains of + - * / or nest fewer functions`)],
  [/too many columns in result set|too many columns on/, () => new SqlError(`The query returns too many columns: SQLite in Durable Objects returns at most ${SQLITE_MAX_COLUMNS}`)],
  [/too many terms in (\w+ BY)/, (m) => new SqlError(`${m[1] ?? "GROUP BY"} has too many terms: SQLite in Durable Objects takes at most ${SQLITE_MAX_COLUMNS}`)],
  [/too many arguments on function (\w+)/, (m) => new SqlError(`Too many arguments to ${m[1] ?? "a function"}: SQLite in Durable Objects takes at most 127`)],
  [/LIKE or GLOB pattern too complex/, () => new SqlError(`A LIKE pattern is over the ${SQLITE_MAX_LIKE_BYTES}-byte limit of SQLite in Durable Objects`)],
  [/variable number must be between/, () => new SqlError(`The query binds more than ${SQLITE_MAX_PARAMS} values (SQLite in Durable Objects)`)],
  [/Recursion limit|parser stack overflow/, () => new SqlError("The query's SQLite translation nests too deeply for SQLite in Durable Objects: nest fewer subqueries or functions")],
  [/string or blob too big/, () => new SqlError("A value is larger than SQLite's maximum string size")],
];

/** The 400 for an error SQLite raised because the statement is past one of its limits; null otherwise. */
export function sqliteLimit(message: string): SqlError | null {
  for (const [pattern, error] of SQLITE_LIMITS) {
    const m = pattern.exec(message);
    if (m !== null) return error(m);
  }
  return null;
}
