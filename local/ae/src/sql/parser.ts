/**
 * A recursive-descent parser for the AE dialect subset. Constructs that AE rejects
 * (JOIN, UNION, several statements, subqueries) fail here with a message naming them.
 * Precedence, lowest first: OR, AND, NOT, comparison/IN/LIKE/BETWEEN/IS, + - ||, * / %, unary -.
 */
import type { BinaryOp, Expr, Format, IntervalUnit, OrderItem, SelectItem, Statement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { TokenCursor } from "./cursor.ts";
import { COMPARISONS, FORMATS, JOINS, RESERVED, UNITS } from "./keywords.ts";
import { tokenize } from "./tokens.ts";

const MAX_DEPTH = 200;

class Parser extends TokenCursor {
  statement(): Statement {
    if (this.acceptKw("WITH")) throw new SqlError("WITH (common table expressions) is not supported");
    if (this.acceptKw("SHOW")) {
      const what = this.next().value.toUpperCase();
      if (what !== "TABLES" && what !== "TIMEZONES" && what !== "TIMEZONE") { this.i--; throw this.unexpected("expected TABLES, TIMEZONES or TIMEZONE after SHOW"); }
      return this.end({ kind: "show", what, format: this.format() });
    }
    if (!this.isKw("SELECT")) throw this.unexpected("expected SELECT or SHOW TABLES");
    return this.end(this.select());
  }

  /** After one statement only an optional ';' may follow; anything else is refused by name. */
  private end<T extends Statement>(stmt: T): T {
    if (this.isKw("UNION") || this.isKw("INTERSECT") || this.isKw("EXCEPT")) {
      throw new SqlError(`${this.peek().value.toUpperCase()} is not supported: one SELECT per query`);
    }
    this.acceptOp(";");
    if (this.peek().type !== "eof") throw new SqlError("Multiple statements are not supported: send one statement per request");
    return stmt;
  }

  private select(): Statement {
    this.expectKw("SELECT");
    const distinct = this.acceptKw("DISTINCT");
    const items: SelectItem[] = [];
    do items.push(this.selectItem()); while (this.acceptOp(","));
    this.expectKw("FROM");
    if (this.isOp("(")) throw new SqlError("Subqueries are not supported in FROM");
    const table = this.identifier("table name");
    if (this.isOp(",")) throw new SqlError("JOIN is not supported: FROM takes exactly one table");
    if (JOINS.has(this.peek().value.toUpperCase()) && this.peek().type === "ident") throw new SqlError("JOIN is not supported: FROM takes exactly one table");
    const where = this.acceptKw("WHERE") ? this.expr() : null;
    const groupBy: Expr[] = [];
    if (this.acceptKw("GROUP")) { this.expectKw("BY"); do groupBy.push(this.expr()); while (this.acceptOp(",")); }
    const having = this.acceptKw("HAVING") ? this.expr() : null;
    const orderBy: OrderItem[] = [];
    if (this.acceptKw("ORDER")) {
      this.expectKw("BY");
      do {
        const expr = this.expr();
        const desc = this.acceptKw("DESC");
        if (!desc) this.acceptKw("ASC");
        orderBy.push({ expr, desc });
      } while (this.acceptOp(","));
    }
    let limit: number | null = null;
    let offset: number | null = null;
    if (this.acceptKw("LIMIT")) {
      // LIMIT ALL is "no limit", as in AE's reference.
      if (!this.acceptKw("ALL")) {
        limit = this.count("LIMIT");
        if (this.acceptOp(",")) { offset = limit; limit = this.count("LIMIT"); }
      }
    }
    if (offset === null && this.acceptKw("OFFSET")) offset = this.count("OFFSET");
    if (this.isKw("SETTINGS")) throw new SqlError("SETTINGS is not supported");
    const format = this.format();
    return { kind: "select", distinct, items, table, where, groupBy, having, orderBy, limit, offset, format };
  }

  private selectItem(): SelectItem {
    const start = this.peek().pos;
    const expr = this.expr();
    const text = this.sql.slice(start, this.tokens[this.i - 1]?.end ?? start);
    let alias: string | null = null;
    if (this.acceptKw("AS")) alias = this.identifier("alias");
    else if ((this.peek().type === "ident" && !RESERVED.has(this.peek().value.toUpperCase())) || this.peek().type === "qident") alias = this.identifier("alias");
    return { expr, alias, text };
  }

  private format(): Format {
    if (!this.acceptKw("FORMAT")) return "JSON";
    const name = this.identifier("format name");
    const format = FORMATS[name.toUpperCase()];
    if (format === undefined) throw new SqlError(`FORMAT ${name} is not supported: use JSON, JSONEachRow or TabSeparated`);
    return format;
  }

  private count(clause: string): number {
    const t = this.next();
    if (t.type !== "num" || !/^\d+$/.test(t.value)) throw new SqlError(`${clause} takes a non-negative integer`);
    const n = Number(t.value);
    if (!Number.isSafeInteger(n)) throw new SqlError(`${clause} ${t.value} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
    return n;
  }

  private identifier(what: string): string {
    const t = this.next();
    if (t.type === "qident" || (t.type === "ident" && !RESERVED.has(t.value.toUpperCase()))) return t.value;
    this.i--;
    throw this.unexpected(`expected ${what}`);
  }

  private depth = 0;

  /** Nesting is bounded, so a hostile query gets a 400 instead of a stack overflow. */
  expr(): Expr {
    if (++this.depth > MAX_DEPTH) throw new SqlError(`The query nests expressions more than ${MAX_DEPTH} deep`);
    try { return this.or(); } finally { this.depth--; }
  }

  private or(): Expr {
    let left = this.and();
    while (this.acceptKw("OR")) left = { kind: "binary", op: "OR", left, right: this.and() };
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.acceptKw("AND")) left = { kind: "binary", op: "AND", left, right: this.not() };
    return left;
  }
  private not(): Expr {
    if (this.acceptKw("NOT")) return { kind: "unary", op: "NOT", expr: this.not() };
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.type === "op" && COMPARISONS[t.value] !== undefined) {
      this.i++;
      return { kind: "binary", op: COMPARISONS[t.value] ?? "=", left, right: this.additive() };
    }
    if (this.acceptKw("IS")) {
      const negated = this.acceptKw("NOT");
      this.expectKw("NULL");
      return { kind: "isnull", expr: left, negated };
    }
    const negated = this.isKw("NOT") && ["IN", "LIKE", "ILIKE", "BETWEEN"].includes(this.peek(1).value.toUpperCase());
    if (negated) this.i++;
    if (this.acceptKw("IN")) {
      this.expectOp("(");
      if (this.isKw("SELECT")) throw new SqlError("Subqueries are not supported in IN");
      const list: Expr[] = [];
      do list.push(this.additive()); while (this.acceptOp(","));
      this.expectOp(")");
      return { kind: "in", expr: left, list, negated };
    }
    if (this.isKw("LIKE") || this.isKw("ILIKE")) {
      const insensitive = this.next().value.toUpperCase() === "ILIKE";
      return { kind: "like", expr: left, pattern: this.additive(), negated, insensitive };
    }
    if (this.acceptKw("BETWEEN")) {
      const low = this.additive();
      this.expectKw("AND");
      return { kind: "between", expr: left, low, high: this.additive(), negated };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const op = ["+", "-", "||"].find((o) => this.isOp(o));
      if (op === undefined) return left;
      this.i++;
      left = { kind: "binary", op: op as BinaryOp, left, right: this.multiplicative() };
    }
  }
  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const op = ["*", "/", "%"].find((o) => this.isOp(o));
      if (op === undefined) return left;
      this.i++;
      left = { kind: "binary", op: op as BinaryOp, left, right: this.unary() };
    }
  }
  private unary(): Expr {
    if (this.acceptOp("-")) return { kind: "unary", op: "-", expr: this.unary() };
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    if (t.type === "num") return { kind: "num", text: t.value, value: Number(t.value) };
    if (t.type === "str") return { kind: "str", value: t.value };
    if (t.type === "qident") return { kind: "ident", name: t.value };
    if (t.type === "op" && t.value === "*") return { kind: "star" };
    if (t.type === "op" && t.value === "(") {
      if (this.isKw("SELECT")) throw new SqlError("Subqueries are not supported");
      const inner = this.expr();
      this.expectOp(")");
      return inner;
    }
    if (t.type !== "ident") { this.i--; throw this.unexpected("expected an expression"); }
    const word = t.value.toUpperCase();
    if (word === "NULL") return { kind: "null" };
    if (word === "TRUE" || word === "FALSE") return { kind: "num", text: word === "TRUE" ? "1" : "0", value: word === "TRUE" ? 1 : 0 };
    if (word === "INTERVAL") return this.interval();
    if (word === "CASE") throw new SqlError("CASE is not supported: use if(cond, then, else)");
    if (this.isOp("(")) return this.call(t.value);
    if (RESERVED.has(word)) { this.i--; throw this.unexpected("expected an expression"); }
    if (this.isOp(".")) throw new SqlError(`Qualified names (${t.value}.…) are not supported: one table per query`);
    return { kind: "ident", name: t.value };
  }

  private interval(): Expr {
    const value = this.additive();
    const unit = this.next().value.toUpperCase().replace(/S$/, "");
    if (!UNITS.has(unit)) { this.i--; throw this.unexpected("expected an interval unit (SECOND … YEAR)"); }
    return { kind: "interval", value, unit: unit as IntervalUnit };
  }

  /** name(args), a parametric aggregate name(params)(args), or a special form. */
  private call(name: string): Expr {
    const special = this.specialForm(name);
    if (special !== null) return special;
    let { args, distinct } = this.args();
    let params: Expr[] | null = null;
    if (this.isOp("(")) {
      if (distinct) throw this.unexpected("DISTINCT goes in the argument list");
      params = args;
      ({ args, distinct } = this.args());
    }
    return { kind: "call", name, params, args, distinct };
  }

  /** position(needle IN haystack) and extract(UNIT FROM t), as AE's reference writes them. */
  private specialForm(name: string): Expr | null {
    const lower = name.toLowerCase();
    if (lower === "extract" && this.peek(1).type === "ident" && this.peek(2).value.toUpperCase() === "FROM") {
      this.expectOp("(");
      const unit = this.next().value.toUpperCase().replace(/S$/, "");
      this.expectKw("FROM");
      const t = this.expr();
      this.expectOp(")");
      return { kind: "call", name, params: null, args: [{ kind: "str", value: unit }, t] };
    }
    if (lower !== "position") return null;
    const start = this.i;
    this.expectOp("(");
    const needle = this.additive();
    if (!this.acceptKw("IN")) { this.i = start; return null; }
    const haystack = this.expr();
    this.expectOp(")");
    return { kind: "call", name, params: null, args: [haystack, needle] };
  }

  private args(): { args: Expr[]; distinct: boolean } {
    this.expectOp("(");
    const args: Expr[] = [];
    if (this.acceptOp(")")) return { args, distinct: false };
    const distinct = this.acceptKw("DISTINCT");
    do args.push(this.expr()); while (this.acceptOp(","));
    this.expectOp(")");
    return { args, distinct };
  }
}

export function parse(sql: string): Statement {
  return new Parser(sql, tokenize(sql)).statement();
}
