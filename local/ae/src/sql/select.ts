/**
 * One SELECT → one SQLite statement. A FROM (subquery) is translated first, as every
 * SELECT is (same checks, same columns, same functions), into a common table expression
 * whose columns the outer SELECT reads by name; without FROM the rows are ClickHouse's
 * system.one: one row, column `dummy` = 0.
 */
import type { Expr, From, SelectItem, SelectStatement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { clauses } from "./expr-walk.ts";
import { SQLITE_MAX_COLUMNS, checkExpansion, checkStatementSize } from "./limits.ts";
import { QueryScope } from "./scope.ts";
import { type Column, type Source, datasetSource, derivedSource } from "./source.ts";
import { Translator } from "./translate.ts";
import { checkGrouping, hasAggregate } from "./validate.ts";

export interface Translated {
  sql: string;
  /** The last result column is the row count before LIMIT (`COUNT(*) OVER ()`). */
  windowed: boolean;
  /** Counts the rows before LIMIT, when the query cannot carry the count itself. */
  countSql: string | null;
  params: string[];
  countParams: string[];
  columns: Column[];
}

/** Two result columns are the stand-in's own (the row count, the aggregate marker). */
const MAX_RESULT_COLUMNS = SQLITE_MAX_COLUMNS - 2;

interface Compiled {
  columns: Column[];
  /** The result list, `c0, c1, …` (and `_agg`). */
  list: string;
  /** FROM … WHERE … GROUP BY … HAVING … */
  rest: string;
  order: string;
  limit: string;
}

/** The dataset whose store holds the rows (the innermost FROM); null without one. */
export function datasetOf(stmt: SelectStatement): string | null {
  const from = stmt.from;
  if (from === null) return null;
  return from.kind === "table" ? from.name : datasetOf(from.select);
}

function sourceOf(from: From | null, scope: QueryScope, now: number): Source {
  if (from === null) return derivedSource(scope.cte("q", "SELECT 0 AS c0, 1 AS _rn"), [{ name: "dummy", type: "UInt8" }], null, "a query without FROM has only the column");
  if (from.kind === "table") return datasetSource(from.name, from.alias);
  const inner = compile(from.select, scope, now);
  const seen = new Set<string>();
  for (const c of inner.columns) {
    if (seen.has(c.name)) throw new SqlError(`The subquery has two columns named '${c.name}': give one of them another alias`);
    seen.add(c.name);
  }
  // _rn keeps the subquery's row order, for first_value/last_value and an unordered outer SELECT.
  const body = `SELECT ${inner.list}${inner.rest}${inner.order}${inner.limit}`;
  return derivedSource(scope.cte("q", `SELECT *, ROW_NUMBER() OVER () AS _rn FROM (${body})`), inner.columns, from.alias, "the subquery's columns are");
}

function compile(stmt: SelectStatement, scope: QueryScope, now: number): Compiled {
  const source = sourceOf(stmt.from, scope, now);
  const items: SelectItem[] = stmt.items.flatMap((item) => item.expr.kind === "star"
    ? source.star.map((name) => ({ expr: { kind: "ident", name } as Expr, alias: null, text: name }))
    : [item]);
  if (items.length > MAX_RESULT_COLUMNS) {
    throw new SqlError(`The query returns ${items.length} columns; the local AE returns at most ${MAX_RESULT_COLUMNS} (SQLite's limit of ${SQLITE_MAX_COLUMNS} result columns in Durable Objects, less two of its own)`);
  }
  const aliases = new Map<string, Expr>();
  for (const item of items) if (item.alias !== null) aliases.set(item.alias, item.expr);
  const expanded = { ...stmt, items };
  checkExpansion(clauses(expanded), aliases);
  checkGrouping(stmt, items, aliases);
  const tr = new Translator(expanded, aliases, now, source, scope);
  const select = items.map((item, i) => ({ name: item.alias ?? item.text, f: tr.item(item.expr, item.alias), i }));
  for (const s of select) if (s.f.type === "Interval") throw new SqlError("An INTERVAL cannot be a result column");
  tr.clause = "WHERE";
  const where = stmt.where === null ? "" : ` WHERE ${tr.translate(stmt.where).sql}`;
  tr.clause = "GROUP BY";
  const group = stmt.groupBy.length === 0 ? "" : ` GROUP BY ${stmt.groupBy.map((g) => tr.translate(tr.positional(g)).sql).join(", ")}`;
  tr.clause = "HAVING";
  const having = stmt.having === null ? "" : ` HAVING ${tr.translate(stmt.having).sql}`;
  tr.clause = "ORDER BY";
  let order = stmt.orderBy.length === 0 ? "" : ` ORDER BY ${stmt.orderBy.map((o) => `${tr.translate(tr.positional(o.expr)).sql}${o.desc ? " DESC" : ""}`).join(", ")}`;
  // A query whose only aggregates are correlated subqueries (quantiles, topK, argMax…) must
  // still be one row: an extra COUNT(*) (not rendered) makes SQLite treat it as aggregating.
  const aggregated = stmt.groupBy.length === 0 && items.some((item) => hasAggregate(item.expr));
  // Rows read from a subquery come out in its order, as ClickHouse streams them.
  if (order === "" && !source.stored && !aggregated && stmt.groupBy.length === 0 && !stmt.distinct) order = " ORDER BY t._rn";
  const list = `${stmt.distinct ? "DISTINCT " : ""}${select.map((s) => `${s.f.sql} AS c${s.i}`).join(", ")}${aggregated ? ", COUNT(*) AS _agg" : ""}`;
  const paged = stmt.limit !== null || stmt.offset !== null;
  // SQLite has no OFFSET without LIMIT; LIMIT -1 is its "no limit".
  const limit = paged ? ` LIMIT ${stmt.limit ?? -1} OFFSET ${stmt.offset ?? 0}` : "";
  return { columns: select.map((s) => ({ name: s.name, type: s.f.type })), list, rest: ` FROM ${source.table} AS t${where}${group}${having}`, order, limit };
}

/**
 * SQLite wants exactly as many bindings as the highest ?N in the text. Literals that were
 * bound but then not used (toDateTime('…') inlines the parsed time) are trimmed here.
 */
function bindings(sql: string, params: string[]): string[] {
  let max = 0;
  for (const m of sql.matchAll(/\?(\d+)/g)) max = Math.max(max, Number(m[1]));
  return params.slice(0, max);
}

export function translateSelect(stmt: SelectStatement, now: number): Translated {
  const scope = new QueryScope();
  const c = compile(stmt, scope, now);
  const withs = scope.with();
  const body = `SELECT ${c.list}${c.rest}`;
  const paged = stmt.limit !== null || stmt.offset !== null;
  // rows_before_limit_at_least in the same pass: a window over the groups (computed
  // before ORDER BY and LIMIT). DISTINCT applies after windows, so it keeps the count query.
  const windowed = paged && !stmt.distinct;
  const sql = `${withs}${windowed ? `SELECT ${c.list}, COUNT(*) OVER () AS _total${c.rest}` : body}${c.order}${c.limit}`;
  const countSql = paged ? `${withs}SELECT COUNT(*) FROM (${body})` : null;
  checkStatementSize(sql);
  if (countSql !== null) checkStatementSize(countSql);
  return {
    sql,
    windowed,
    countSql,
    params: bindings(sql, scope.params),
    countParams: bindings(countSql ?? "", scope.params),
    columns: c.columns,
  };
}
