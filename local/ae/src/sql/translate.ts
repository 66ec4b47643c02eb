/**
 * AST → SQLite. User text never reaches SQLite raw: string literals become bound
 * parameters (?N), numbers are re-printed from their parsed value, and identifiers must
 * be a known column or an alias. Aliases are expanded where they are used, as ClickHouse
 * allows them in every clause.
 */
import type { Expr, SelectStatement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type FunctionContext, callFunction } from "./functions.ts";
import { integerDivision } from "./functions-math.ts";
import { type Fragment, type SqlType, UNIT_MONTHS, UNIT_SECONDS, elementType, isInteger, isNumeric, isTime, isUnsigned, parseDateTime } from "./types.ts";
import { likeToGlob } from "./like.ts";
import { checkGrouping, hasAggregate, isConstant } from "./validate.ts";
import { BLOB_COLUMNS, DOUBLE_COLUMNS } from "../point.ts";
import { TABLE } from "./table.ts";

export interface Translated {
  sql: string;
  /** The last result column is the row count before LIMIT (`COUNT(*) OVER ()`). */
  windowed: boolean;
  /** Counts the rows before LIMIT, when the query cannot carry the count itself. */
  countSql: string | null;
  params: string[];
  countParams: string[];
  columns: { name: string; type: SqlType }[];
}

/** SELECT * lists the columns in this order. */
export const ALL_COLUMNS = ["dataset", "timestamp", "index1", "_sample_interval", ...BLOB_COLUMNS, ...DOUBLE_COLUMNS];

const FLIPPED: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=" };

class Translator implements FunctionContext {
  readonly params: string[] = [];
  inAggregate = false;
  clause = "SELECT";
  private table = "t";
  private readonly expanding = new Set<string>();

  private readonly stmt: SelectStatement;
  private readonly aliases: Map<string, Expr>;
  readonly now: number;
  private readonly dataset: string;

  constructor(stmt: SelectStatement, aliases: Map<string, Expr>, now: number, dataset: string) {
    this.stmt = stmt;
    this.aliases = aliases;
    this.now = now;
    this.dataset = dataset;
  }

  /** Strings are bound; numbers are printed from their parsed value, which is safe SQL. */
  param(value: string | number): string {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new SqlError("Numbers must be finite");
      return Number.isInteger(value) ? value.toFixed(0) : String(value);
    }
    this.params.push(value);
    return `?${this.params.length}`;
  }

  translate(e: Expr): Fragment {
    switch (e.kind) {
      case "num": return { sql: this.param(e.value), type: Number.isInteger(e.value) && !/[.eE]/.test(e.text) ? "UInt64" : "Float64" };
      case "str": return { sql: this.param(e.value), type: "String", literal: e.value };
      case "null": return { sql: "NULL", type: "Nothing" };
      case "star": throw new SqlError("* is only allowed as SELECT * or count(*)");
      case "ident": return this.ident(e.name);
      case "call": return callFunction(this, e.name, e.args, e.params, e.distinct ?? false);
      case "interval": {
        const n = e.value.kind === "num" ? e.value.value : e.value.kind === "str" ? Number(e.value.value) : Number.NaN;
        if (!Number.isInteger(n) || n < 0) throw new SqlError("INTERVAL needs a constant non-negative integer, as INTERVAL '1' DAY");
        return { sql: "NULL", type: "Interval", interval: { n, unit: e.unit } };
      }
      case "unary": {
        const f = this.translate(e.expr);
        return e.op === "NOT" ? { sql: `(NOT ${f.sql})`, type: "UInt8" } : { sql: `(-${f.sql})`, type: isUnsigned(f.type) ? "Int64" : f.type };
      }
      case "binary": return this.binary(e.op, e.left, e.right);
      case "in": {
        const x = this.translate(e.expr);
        const list = e.list.map((item) => this.comparable(x, this.translate(item)).sql);
        return { sql: `(${x.sql} ${e.negated ? "NOT IN" : "IN"} (${list.join(", ")}))`, type: "UInt8" };
      }
      case "like": {
        const x = this.translate(e.expr);
        const p = this.translate(e.pattern);
        if (p.literal === undefined) throw new SqlError("LIKE needs a constant string pattern");
        const sql = e.insensitive ? `(${x.sql} LIKE ${this.param(p.literal)} ESCAPE '\\')` : `(${x.sql} GLOB ${this.param(likeToGlob(p.literal))})`;
        return { sql: e.negated ? `(NOT ${sql})` : sql, type: "UInt8" };
      }
      case "between": {
        const x = this.translate(e.expr);
        const low = this.comparable(x, this.translate(e.low));
        const high = this.comparable(x, this.translate(e.high));
        return { sql: `(${x.sql} ${e.negated ? "NOT BETWEEN" : "BETWEEN"} ${low.sql} AND ${high.sql})`, type: "UInt8" };
      }
      case "isnull": return { sql: `(${this.translate(e.expr).sql} IS ${e.negated ? "NOT " : ""}NULL)`, type: "UInt8" };
    }
  }

  private ident(name: string): Fragment {
    const alias = this.aliases.get(name);
    // Inside its own definition an alias means the column (sum(double1) AS double1).
    if (alias !== undefined && !this.expanding.has(name)) {
      this.expanding.add(name);
      try { return this.translate(alias); } finally { this.expanding.delete(name); }
    }
    const t = this.table;
    if (name === "timestamp") return { sql: `(${t}.timestamp / 1000)`, type: "DateTime" };
    if (name === "_sample_interval") return { sql: `${t}._sample_interval`, type: "UInt32" };
    if (name === "index1") return { sql: `${t}.index1`, type: "String" };
    if (name === "dataset") return { sql: this.param(this.dataset), type: "String" };
    // AE reads unset blobs as '' and unset doubles as 0.
    if (BLOB_COLUMNS.includes(name)) return { sql: `IFNULL(${t}.${name}, '')`, type: "String" };
    if (DOUBLE_COLUMNS.includes(name)) return { sql: `IFNULL(${t}.${name}, 0.0)`, type: "Float64" };
    throw new SqlError(`Unknown column '${name}': the columns are ${ALL_COLUMNS.slice(0, 5).join(", ")}, blob1..blob20, double1..double20`);
  }

  /** A string literal compared with a DateTime is read as a DateTime, as ClickHouse does. */
  private comparable(against: Fragment, f: Fragment): Fragment {
    if (isTime(against.type) && f.literal !== undefined) {
      const s = parseDateTime(f.literal);
      if (s === null) throw new SqlError(`Cannot parse '${f.literal}' as DateTime`);
      return { sql: this.param(s), type: "DateTime" };
    }
    return f;
  }

  private binary(op: string, le: Expr, re: Expr): Fragment {
    let l = this.translate(le);
    let r = this.translate(re);
    if (elementType(l.type) !== null || elementType(r.type) !== null) throw new SqlError(`Operator ${op} on arrays is not supported: arrays (topK) can only be result columns`);
    if (op === "AND" || op === "OR") return { sql: `(${l.sql} ${op} ${r.sql})`, type: "UInt8" };
    if (["=", "!=", "<", ">", "<=", ">="].includes(op)) {
      r = this.comparable(l, r);
      l = this.comparable(r, l);
      const ranged = this.timeRange(op, le, re, r) ?? this.timeRange(FLIPPED[op] ?? op, re, le, l);
      return ranged ?? { sql: `(${l.sql} ${op} ${r.sql})`, type: "UInt8" };
    }
    if (op === "||") return { sql: `(${l.sql} || ${r.sql})`, type: "String" };
    if ((op === "+" || op === "-") && isTime(l.type) && r.interval !== undefined) return this.shift(l, r, op === "-" ? -1 : 1);
    if (op === "+" && isTime(r.type) && l.interval !== undefined) return this.shift(r, l, 1);
    if (op === "-" && isTime(l.type) && isTime(r.type)) return { sql: `(${l.sql} - ${r.sql})`, type: "Int64" };
    if (l.interval !== undefined || r.interval !== undefined) throw new SqlError("INTERVAL can only be added to or subtracted from a DateTime");
    if (!isNumeric(l.type) || !isNumeric(r.type)) throw new SqlError(`Operator ${op} needs numbers, got ${l.type} and ${r.type}`);
    // A float division by zero is inf or nan in ClickHouse; SQLite gives NULL, both render null.
    if (op === "/") return { sql: `(CAST(${l.sql} AS REAL) / ${r.sql})`, type: "Float64" };
    const float = l.type === "Float64" || r.type === "Float64";
    const type: SqlType = float ? "Float64" : op !== "-" && isUnsigned(l.type) && isUnsigned(r.type) ? "UInt64" : "Int64";
    // Float modulo is fmod (sign of the dividend); integer modulo by zero fails, as in ClickHouse.
    if (op === "%") return float ? { sql: `mod(${l.sql}, ${r.sql})`, type } : { sql: integerDivision(this, l, r, "%"), type };
    return { sql: `(${l.sql} ${op} ${r.sql})`, type };
  }

  /**
   * `timestamp <op> constant` compares the stored milliseconds directly, so SQLite can use
   * the timestamp index: floor(ms / 1000) > X exactly when ms >= (X + 1) * 1000, and so on.
   */
  private timeRange(op: string, col: Expr, other: Expr, value: Fragment): Fragment | null {
    if (col.kind !== "ident" || col.name !== "timestamp" || this.aliases.has("timestamp") || !isConstant(other)) return null;
    if (!isTime(value.type) && !isInteger(value.type)) return null;
    const ms = `${this.table}.timestamp`;
    const x = `(${value.sql})`;
    const bounds: Record<string, string> = {
      ">": `${ms} >= (${x} + 1) * 1000`, ">=": `${ms} >= ${x} * 1000`,
      "<": `${ms} < ${x} * 1000`, "<=": `${ms} < (${x} + 1) * 1000`,
      "=": `(${ms} >= ${x} * 1000 AND ${ms} < (${x} + 1) * 1000)`,
    };
    const sql = bounds[op];
    return sql === undefined ? null : { sql: `(${sql})`, type: "UInt8" };
  }

  private shift(time: Fragment, iv: Fragment, sign: 1 | -1): Fragment {
    const { n, unit } = iv.interval ?? { n: 0, unit: "SECOND" };
    const seconds = UNIT_SECONDS[unit];
    if (seconds !== undefined) return { sql: `(${time.sql} ${sign < 0 ? "-" : "+"} ${n * seconds})`, type: time.type };
    const months = n * (UNIT_MONTHS[unit] ?? 1) * sign;
    const modifier = this.param(`${months >= 0 ? "+" : ""}${months} months`);
    // 'floor' clamps to the month's last day (Jan 31 + 1 month = Feb 28), as ClickHouse does;
    // without it SQLite overflows into the next month (Mar 3).
    return { sql: `CAST(strftime('%s', ${time.sql}, 'unixepoch', ${modifier}, 'floor') AS INTEGER)`, type: time.type };
  }

  perGroup<T>(inner: () => T): { value: T; from: string } {
    const { value, where, own, theirs } = this.groupKeys(inner);
    const conds = [...(where === "" ? [] : [where]), ...own.map((o, i) => `(${o} IS ${theirs[i] ?? "NULL"})`)];
    return { value, from: `FROM ${TABLE} AS s${conds.length > 0 ? ` WHERE ${conds.join(" AND ")}` : ""}` };
  }

  groupKeys<T>(inner: () => T): { value: T; where: string; own: string[]; theirs: string[] } {
    const outer = this.table;
    const saved = this.inAggregate;
    this.table = "s";
    try {
      const value = inner();
      this.inAggregate = false;
      const where = this.stmt.where === null ? "" : this.translate(this.stmt.where).sql;
      const own: string[] = [];
      const theirs: string[] = [];
      for (const g of this.stmt.groupBy.map((e) => this.positional(e))) {
        own.push(this.translate(g).sql);
        this.table = outer;
        theirs.push(this.translate(g).sql);
        this.table = "s";
      }
      return { value, where, own, theirs };
    } finally {
      this.table = outer;
      this.inAggregate = saved;
    }
  }

  readonly ctes: string[] = [];

  cte(body: string): string {
    const name = `g${this.ctes.length}`;
    // Materialized once per query, however many groups look into it.
    this.ctes.push(`${name} AS MATERIALIZED (${body})`);
    return name;
  }

  /** GROUP BY 2 / ORDER BY 1 refer to SELECT items, as ClickHouse's positional arguments. */
  positional(e: Expr): Expr {
    if (e.kind !== "num") return e;
    const item = this.stmt.items[e.value - 1];
    if (item === undefined || !Number.isInteger(e.value)) throw new SqlError(`Positional argument ${e.text} is out of range`);
    return item.expr;
  }
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

export function translateSelect(stmt: SelectStatement, dataset: string, now: number): Translated {
  const items = stmt.items.flatMap((item) => item.expr.kind === "star"
    ? ALL_COLUMNS.map((name) => ({ expr: { kind: "ident", name } as Expr, alias: null, text: name }))
    : [item]);
  const aliases = new Map<string, Expr>();
  for (const item of items) if (item.alias !== null) aliases.set(item.alias, item.expr);
  checkGrouping(stmt, items, aliases);
  const tr = new Translator({ ...stmt, items }, aliases, now, dataset);
  const select = items.map((item, i) => ({ name: item.alias ?? item.text, f: tr.translate(item.expr), i }));
  for (const s of select) if (s.f.type === "Interval") throw new SqlError("An INTERVAL cannot be a result column");
  tr.clause = "WHERE";
  const where = stmt.where === null ? "" : ` WHERE ${tr.translate(stmt.where).sql}`;
  tr.clause = "GROUP BY";
  const group = stmt.groupBy.length === 0 ? "" : ` GROUP BY ${stmt.groupBy.map((g) => tr.translate(tr.positional(g)).sql).join(", ")}`;
  tr.clause = "HAVING";
  const having = stmt.having === null ? "" : ` HAVING ${tr.translate(stmt.having).sql}`;
  tr.clause = "ORDER BY";
  const order = stmt.orderBy.length === 0 ? "" : ` ORDER BY ${stmt.orderBy.map((o) => `${tr.translate(tr.positional(o.expr)).sql}${o.desc ? " DESC" : ""}`).join(", ")}`;
  // A query whose only aggregates are correlated subqueries (quantiles, topK, argMax…) must
  // still be one row: an extra COUNT(*) (not rendered) makes SQLite treat it as aggregating.
  const aggregated = stmt.groupBy.length === 0 && items.some((item) => hasAggregate(item.expr)) ? ", COUNT(*) AS _agg" : "";
  const columns = `${stmt.distinct ? "DISTINCT " : ""}${select.map((s) => `${s.f.sql} AS c${s.i}`).join(", ")}${aggregated}`;
  const rest = ` FROM ${TABLE} AS t${where}${group}${having}`;
  const withs = tr.ctes.length === 0 ? "" : `WITH ${tr.ctes.join(", ")} `;
  const body = `SELECT ${columns}${rest}`;
  const paged = stmt.limit !== null || stmt.offset !== null;
  // SQLite has no OFFSET without LIMIT; LIMIT -1 is its "no limit".
  const limit = paged ? ` LIMIT ${stmt.limit ?? -1} OFFSET ${stmt.offset ?? 0}` : "";
  // rows_before_limit_at_least in the same pass: a window over the groups (computed
  // before ORDER BY and LIMIT). DISTINCT applies after windows, so it keeps the count query.
  const windowed = paged && !stmt.distinct;
  const sql = `${withs}${windowed ? `SELECT ${columns}, COUNT(*) OVER () AS _total${rest}` : body}${order}${limit}`;
  const countSql = paged ? `${withs}SELECT COUNT(*) FROM (${body})` : null;
  return {
    sql,
    windowed,
    countSql,
    params: bindings(sql, tr.params),
    countParams: bindings(countSql ?? "", tr.params),
    columns: select.map((s) => ({ name: s.name, type: s.f.type })),
  };
}
