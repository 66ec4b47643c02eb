/** A cursor over the AE dialect's tokens: lookahead, keywords, operators, and syntax errors that quote the text. */
import { SqlError } from "./errors.ts";
import type { Token } from "./tokens.ts";

export class TokenCursor {
  protected i = 0;
  protected readonly sql: string;
  protected readonly tokens: Token[];
  constructor(sql: string, tokens: Token[]) {
    this.sql = sql;
    this.tokens = tokens;
  }

  protected peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
    if (t === undefined) throw new SqlError("Syntax error: empty query");
    return t;
  }
  protected next(): Token { const t = this.peek(); this.i++; return t; }
  protected isKw(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === "ident" && t.value.toUpperCase() === word;
  }
  protected acceptKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.i++;
    return true;
  }
  protected expectKw(word: string): void {
    if (!this.acceptKw(word)) throw this.unexpected(`expected ${word}`);
  }
  protected isOp(op: string): boolean { const t = this.peek(); return t.type === "op" && t.value === op; }
  protected acceptOp(op: string): boolean { if (!this.isOp(op)) return false; this.i++; return true; }
  protected expectOp(op: string): void { if (!this.acceptOp(op)) throw this.unexpected(`expected '${op}'`); }
  protected unexpected(what: string): SqlError {
    const t = this.peek();
    const near = t.type === "eof" ? "end of query" : `'${this.sql.slice(t.pos, t.end)}' at position ${t.pos}`;
    return new SqlError(`Syntax error: ${what}, found ${near}`);
  }
}
