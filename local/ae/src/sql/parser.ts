/**
 * A recursive-descent parser for the AE dialect subset: the statements (parser-expr.ts
 * has the expressions). Constructs that AE rejects (JOIN, UNION, several statements,
 * subqueries outside FROM) fail here with a message naming them.
 */
import type { Expr, Format, From, OrderItem, SelectItem, SelectStatement, Statement } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { FORMATS, JOINS, RESERVED } from "./keywords.ts";
import { MAX_SUBQUERY_DEPTH, checkDepth } from "./limits.ts";
import { ExprParser } from "./parser-expr.ts";
import { tokenize } from "./tokens.ts";

class Parser extends ExprParser {
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

  /** `depth` counts the FROM subqueries this SELECT is inside. */
  private select(depth = 0): SelectStatement {
    this.expectKw("SELECT");
    const distinct = this.acceptKw("DISTINCT");
    const items: SelectItem[] = [];
    do items.push(this.selectItem()); while (this.acceptOp(","));
    const from = this.acceptKw("FROM") ? this.from(depth) : null;
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
    if (depth > 0 && this.isKw("FORMAT")) throw new SqlError("FORMAT is only allowed at the end of the outer query, not in a subquery");
    const format = depth > 0 ? "JSON" : this.format();
    return { kind: "select", distinct, items, from, where, groupBy, having, orderBy, limit, offset, format };
  }

  /** One dataset or one parenthesised SELECT, each with an optional alias. */
  private from(depth: number): From {
    let from: From;
    if (this.acceptOp("(")) {
      if (!this.isKw("SELECT")) throw this.unexpected("expected SELECT in a FROM subquery");
      if (depth + 1 > MAX_SUBQUERY_DEPTH) throw new SqlError(`Subqueries nest more than ${MAX_SUBQUERY_DEPTH} deep (the local AE's maximum subquery depth)`);
      const select = this.select(depth + 1);
      this.expectOp(")");
      from = { kind: "subquery", select, alias: null };
    } else {
      from = { kind: "table", name: this.identifier("table name"), alias: null };
    }
    const joined = (): boolean => this.isOp(",") || (this.peek().type === "ident" && JOINS.has(this.peek().value.toUpperCase()));
    if (joined()) throw new SqlError("JOIN is not supported: FROM takes exactly one table");
    from.alias = this.alias();
    if (joined()) throw new SqlError("JOIN is not supported: FROM takes exactly one table");
    return from;
  }

  /** `AS name`, or a bare name that is not a keyword. */
  private alias(): string | null {
    if (this.acceptKw("AS")) return this.identifier("alias");
    const t = this.peek();
    return (t.type === "ident" && !RESERVED.has(t.value.toUpperCase())) || t.type === "qident" ? this.identifier("alias") : null;
  }

  private selectItem(): SelectItem {
    const start = this.peek().pos;
    const expr = this.expr();
    const text = this.sql.slice(start, this.tokens[this.i - 1]?.end ?? start);
    return { expr, alias: this.alias(), text };
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
}

export function parse(sql: string): Statement {
  const stmt = new Parser(sql, tokenize(sql)).statement();
  if (stmt.kind === "select") checkDepth(stmt);
  return stmt;
}
