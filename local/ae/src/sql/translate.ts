/**
 * AST → SQLite, one expression at a time (select.ts assembles the statement). User text
 * never reaches SQLite raw: string literals are bound (scope.ts), numbers are re-printed
 * from their parsed value, and identifiers must be a column of the source or an alias.
 * Aliases are expanded where they are used, as ClickHouse allows them in every clause.
 */
import type { BinaryOp, Expr, SelectStatement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { ASSOCIATIVE, chain } from "./expr-walk.ts";
import { balanced } from "./function-kit.ts";
import { type FunctionContext, callFunction } from "./functions.ts";
import { integerDivision } from "./functions-math.ts";
import { hoistedCall } from "./hoist.ts";
import { likeSql } from "./like.ts";
import { checkStatementSize } from "./limits.ts";
import type { QueryScope } from "./scope.ts";
import type { Source } from "./source.ts";
import { timeRange, timeShift } from "./translate-time.ts";
import { type Fragment, type SqlType, elementType, isNumeric, isTime, isUnsigned, parseDateTime } from "./types.ts";
import { expand, hasAggregate } from "./validate.ts";

const FLIPPED: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=" };

export class Translator implements FunctionContext {
  inAggregate = false;
  clause = "SELECT";
  /** The table alias column references go through: t, or s in a second scan (perGroup). */
  table = "t";
  private readonly expanding = new Set<string>();

  readonly stmt: SelectStatement;
  readonly aliases: Map<string, Expr>;
  readonly now: number;
  readonly source: Source;
  private readonly scope: QueryScope;

  constructor(stmt: SelectStatement, aliases: Map<string, Expr>, now: number, source: Source, scope: QueryScope) {
    this.stmt = stmt;
    this.aliases = aliases;
    this.now = now;
    this.source = source;
    this.scope = scope;
  }

  /** Strings are bound; numbers are printed from their parsed value, which is safe SQL. */
  param(value: string | number): string {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new SqlError("Numbers must be finite");
      return Number.isInteger(value) ? value.toFixed(0) : String(value);
    }
    return this.scope.string(value);
  }

  fresh(): string {
    return this.scope.fresh();
  }

  cte(body: string): string {
    return this.scope.cte("g", body);
  }

  hasAggregate(e: Expr): boolean {
    return hasAggregate(expand(e, this.aliases));
  }

  /** Every fragment is bounded as it is built, so a nesting that repeats its arguments fails early. */
  translate(e: Expr): Fragment {
    const f = this.node(e);
    checkStatementSize(f.sql);
    return f;
  }

  private node(e: Expr): Fragment {
    switch (e.kind) {
      case "num": return { sql: this.param(e.value), type: Number.isInteger(e.value) && !/[.eE]/.test(e.text) ? "UInt64" : "Float64" };
      case "str": return { sql: this.param(e.value), type: "String", literal: e.value };
      case "null": return { sql: "NULL", type: "Nothing" };
      case "star": throw new SqlError("* is only allowed as SELECT * or count(*)");
      case "bound": return e.fragment;
      case "ident": return this.ident(e.name, e.table);
      case "call": return hoistedCall(this, e.name, e.args, (args) => callFunction(this, e.name, args, e.params, e.distinct ?? false));
      case "interval": {
        const n = e.value.kind === "num" ? e.value.value : e.value.kind === "str" ? Number(e.value.value) : Number.NaN;
        if (!Number.isInteger(n) || n < 0) throw new SqlError("INTERVAL needs a constant non-negative integer, as INTERVAL '1' DAY");
        return { sql: "NULL", type: "Interval", interval: { n, unit: e.unit } };
      }
      case "unary": {
        const f = this.translate(e.expr);
        return e.op === "NOT" ? { sql: `(NOT ${f.sql})`, type: "UInt8" } : { sql: `(-${f.sql})`, type: isUnsigned(f.type) ? "Int64" : f.type };
      }
      case "binary": return ASSOCIATIVE.has(e.op) ? this.chained(e.op, chain(e, e.op)) : this.binary(e.op, e.left, e.right);
      case "in": {
        const x = this.translate(e.expr);
        const list = e.list.map((item) => this.comparable(x, this.translate(item)).sql);
        return { sql: `(${x.sql} ${e.negated ? "NOT IN" : "IN"} (${list.join(", ")}))`, type: "UInt8" };
      }
      case "like": {
        const p = this.translate(e.pattern);
        if (p.literal === undefined) throw new SqlError("LIKE needs a constant string pattern");
        const sql = likeSql(this, this.translate(e.expr).sql, p.literal, e.insensitive);
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

  /** A SELECT item: inside its own definition its alias means the column (`x + 1 AS x`). */
  item(e: Expr, alias: string | null): Fragment {
    if (alias === null || this.expanding.has(alias)) return this.translate(e);
    this.expanding.add(alias);
    try { return this.translate(e); } finally { this.expanding.delete(alias); }
  }

  private ident(name: string, qualifier: string | undefined): Fragment {
    if (qualifier !== undefined && !this.source.names.includes(qualifier)) {
      const names = this.source.names.map((n) => `'${n}'`).join(" or ");
      throw new SqlError(`Unknown table '${qualifier}' in ${qualifier}.${name}: ${names === "" ? "the FROM has no name to qualify columns with" : `the query reads ${names}`}`);
    }
    const alias = qualifier === undefined ? this.aliases.get(name) : undefined;
    // Inside its own definition an alias means the column (sum(double1) AS double1).
    if (alias !== undefined && !this.expanding.has(name)) {
      this.expanding.add(name);
      try { return this.translate(alias); } finally { this.expanding.delete(name); }
    }
    return this.source.column(name, this.table, (v) => this.param(v));
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

  private chained(op: BinaryOp, terms: Expr[]): Fragment {
    const fs = terms.map((t) => this.translate(t));
    if (fs.some((f) => elementType(f.type) !== null)) throw new SqlError(`Operator ${op} on arrays is not supported: arrays (topK) can only be result columns`);
    return { sql: balanced(fs.map((f) => f.sql), op), type: op === "||" ? "String" : "UInt8" };
  }

  private binary(op: string, le: Expr, re: Expr): Fragment {
    let l = this.translate(le);
    let r = this.translate(re);
    if (elementType(l.type) !== null || elementType(r.type) !== null) throw new SqlError(`Operator ${op} on arrays is not supported: arrays (topK) can only be result columns`);
    if (["=", "!=", "<", ">", "<=", ">="].includes(op)) {
      r = this.comparable(l, r);
      l = this.comparable(r, l);
      const ranged = timeRange(this, op, le, re, r) ?? timeRange(this, FLIPPED[op] ?? op, re, le, l);
      return ranged ?? { sql: `(${l.sql} ${op} ${r.sql})`, type: "UInt8" };
    }
    if ((op === "+" || op === "-") && isTime(l.type) && r.interval !== undefined) return timeShift(this, l, r, op === "-" ? -1 : 1);
    if (op === "+" && isTime(r.type) && l.interval !== undefined) return timeShift(this, r, l, 1);
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

  rowOrder(desc: boolean): string {
    return this.source.rowOrder("s", desc);
  }

  perGroup<T>(inner: () => T): { value: T; from: string } {
    const { value, where, own, theirs } = this.groupKeys(inner);
    const conds = [...(where === "" ? [] : [where]), ...own.map((o, i) => `(${o} IS ${theirs[i] ?? "NULL"})`)];
    return { value, from: `FROM ${this.source.table} AS s${conds.length > 0 ? ` WHERE ${balanced(conds, "AND")}` : ""}` };
  }

  groupKeys<T>(inner: () => T): { value: T; where: string; own: string[]; theirs: string[]; table: string } {
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
      return { value, where, own, theirs, table: this.source.table };
    } finally {
      this.table = outer;
      this.inAggregate = saved;
    }
  }

  /** GROUP BY 2 / ORDER BY 1 refer to SELECT items, as ClickHouse's positional arguments. */
  positional(e: Expr): Expr {
    if (e.kind !== "num") return e;
    const item = this.stmt.items[e.value - 1];
    if (item === undefined || !Number.isInteger(e.value)) throw new SqlError(`Positional argument ${e.text} is out of range`);
    return item.expr;
  }
}
