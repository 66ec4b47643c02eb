/** The AE dialect's tokenizer: literals, identifiers, operators; comments skipped. */
import { SqlError } from "./errors.ts";

export type TokenType = "num" | "str" | "ident" | "qident" | "op" | "eof";

export interface Token {
  type: TokenType;
  value: string;
  pos: number;
  /** Where the token's source text ends (exclusive), to quote items as written. */
  end: number;
}

// Longest first, so "<=" wins over "<".
const OPERATORS = ["<=", ">=", "<>", "!=", "==", "||", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ";", "."];

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "`": "`" };

function readQuoted(sql: string, start: number, quote: string): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (ch === "\\" && i + 1 < sql.length) {
      const next = sql.charAt(i + 1);
      value += ESCAPES[next] ?? next;
      i += 2;
    } else if (ch === quote) {
      // A doubled quote is one literal quote, as in standard SQL.
      if (sql.charAt(i + 1) === quote) { value += quote; i += 2; continue; }
      return { value, end: i + 1 };
    } else {
      value += ch;
      i++;
    }
  }
  throw new SqlError(`Syntax error: unterminated ${quote === "'" ? "string literal" : "quoted identifier"} at position ${start}`);
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (/\s/.test(ch)) { i++; continue; }
    if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) throw new SqlError(`Syntax error: unterminated comment at position ${i}`);
      i = end + 2;
      continue;
    }
    if (ch === "'") {
      const { value, end } = readQuoted(sql, i, "'");
      tokens.push({ type: "str", value, pos: i, end });
      i = end;
      continue;
    }
    if (ch === '"' || ch === "`") {
      const { value, end } = readQuoted(sql, i, ch);
      tokens.push({ type: "qident", value, pos: i, end });
      i = end;
      continue;
    }
    const num = /^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(sql.slice(i, i + 64));
    if (num !== null && /[\d.]/.test(ch)) {
      tokens.push({ type: "num", value: num[0], pos: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 256));
    if (ident !== null) {
      tokens.push({ type: "ident", value: ident[0], pos: i, end: i + ident[0].length });
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op === undefined) throw new SqlError(`Syntax error: unexpected character '${ch}' at position ${i}`);
    tokens.push({ type: "op", value: op, pos: i, end: i + op.length });
    i += op.length;
  }
  tokens.push({ type: "eof", value: "", pos: sql.length, end: sql.length });
  return tokens;
}
