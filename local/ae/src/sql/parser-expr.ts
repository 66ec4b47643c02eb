/**
 * The expression half of the AE dialect's recursive-descent parser (parser.ts has the
 * statements). Precedence, lowest first: OR, AND, NOT, comparison/IN/LIKE/BETWEEN/IS,
 * + - ||, * / %, unary -.
 */
import type { BinaryOp, Expr, IntervalUnit } from "./ast.ts";
import { TokenCursor } from "./cursor.ts";
import { SqlError } from "./errors.ts";
import { COMPARISONS, RESERVED, UNITS } from "./keywords.ts";
import { MAX_EXPR_DEPTH, depthError } from "./limits.ts";

export class ExprParser extends TokenCursor {
  protected identifier(what: string): string {
    const t = this.next();
    if (t.type === "qident" || (t.type === "ident" && !RESERVED.has(t.value.toUpperCase()))) return t.value;
    this.i--;
    throw this.unexpected(`expected ${what}`);
  }

  private depth = 0;

  /** Nesting is bounded, so a hostile query gets a 400 instead of a stack overflow. */
  protected nested<T>(parse: () => T): T {
    if (++this.depth > MAX_EXPR_DEPTH) throw depthError();
    try { return parse(); } finally { this.depth--; }
  }

  expr(): Expr {
    return this.nested(() => this.or());
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
    if (this.acceptKw("NOT")) return { kind: "unary", op: "NOT", expr: this.nested(() => this.not()) };
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
      if (this.isKw("SELECT")) throw new SqlError("Subqueries are not supported in IN: only FROM (SELECT …) takes a subquery");
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
    if (this.acceptOp("-")) return { kind: "unary", op: "-", expr: this.nested(() => this.unary()) };
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    if (t.type === "num") return { kind: "num", text: t.value, value: Number(t.value) };
    if (t.type === "str") return { kind: "str", value: t.value };
    if (t.type === "qident") return this.column(t.value);
    if (t.type === "op" && t.value === "*") return { kind: "star" };
    if (t.type === "op" && t.value === "(") {
      if (this.isKw("SELECT")) throw new SqlError("Subqueries are not supported in expressions: only FROM (SELECT …) takes a subquery");
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
    return this.column(t.value);
  }

  /** A column, or `qualifier.column` (the qualifier must name the FROM's table or alias). */
  private column(name: string): Expr {
    if (!this.acceptOp(".")) return { kind: "ident", name };
    const t = this.next();
    if (t.type !== "ident" && t.type !== "qident") { this.i--; throw this.unexpected(`expected a column name after '${name}.'`); }
    if (this.isOp(".")) throw this.unexpected("expected one qualifier (alias.column)");
    return { kind: "ident", name: t.value, table: name };
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
