/**
 * String functions. As AE's reference says, length() and substring() count Unicode code
 * points (ClickHouse's lengthUTF8/substringUTF8), which is what SQLite does on TEXT;
 * position() counts code points too, for consistency with them. lower()/upper() are
 * ASCII-only, as in ClickHouse and as SQLite's LOWER/UPPER are.
 */
import type { Expr } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type FunctionContext, type Impl, arg, arity, balanced, needInteger, needString } from "./function-kit.ts";
import { type Fragment, elementType } from "./types.ts";

/** A value as ClickHouse's toString prints it. */
export function toText(f: Fragment): string {
  if (f.type === "DateTime") return `strftime('%Y-%m-%d %H:%M:%S', ${f.sql}, 'unixepoch')`;
  if (f.type === "Date") return `strftime('%Y-%m-%d', ${f.sql}, 'unixepoch')`;
  // ClickHouse prints whole floats without ".0".
  if (f.type === "Float64") return `(CASE WHEN ${f.sql} = CAST(${f.sql} AS INTEGER) THEN CAST(CAST(${f.sql} AS INTEGER) AS TEXT) ELSE CAST(${f.sql} AS TEXT) END)`;
  if (elementType(f.type) !== null) throw new SqlError(`Converting ${f.type} to String is not supported by the local AE`);
  return `CAST(${f.sql} AS TEXT)`;
}

/**
 * lowerUTF8/upperUTF8 beyond ASCII: SQLite has no Unicode case tables (no ICU), so map the
 * Latin, Greek and Cyrillic letters whose case pair is one code point each way, one
 * character at a time in a recursive CTE over two aligned strings (bound as parameters).
 */
function caseTable(toLower: boolean): { from: string; to: string } {
  let from = "";
  let to = "";
  for (const [lo, hi] of [[0xc0, 0x24f], [0x370, 0x3ff], [0x400, 0x52f]] as const) {
    for (let c = lo; c <= hi; c++) {
      const ch = String.fromCharCode(c);
      const mapped = toLower ? ch.toLowerCase() : ch.toUpperCase();
      const back = toLower ? mapped.toUpperCase() : mapped.toLowerCase();
      if (mapped !== ch && mapped.length === 1 && back === ch) { from += ch; to += mapped; }
    }
  }
  return { from, to };
}
const TO_LOWER = caseTable(true);
const TO_UPPER = caseTable(false);

function utf8Case(name: string, toLower: boolean): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const s = needString(name, arg(ctx, args, 0)).sql;
    const table = toLower ? TO_LOWER : TO_UPPER;
    const from = ctx.param(table.from);
    const to = ctx.param(table.to);
    const ascii = `${toLower ? "LOWER" : "UPPER"}(${s})`;
    const ch = "substr(src, i, 1)";
    const sql = `(WITH RECURSIVE c(i, src, out) AS (SELECT 1, ${ascii}, '' UNION ALL SELECT i + 1, src, out || ` +
      `(CASE WHEN instr(${from}, ${ch}) > 0 THEN substr(${to}, instr(${from}, ${ch}), 1) ELSE ${ch} END) ` +
      `FROM c WHERE i <= length(src)) SELECT out FROM c ORDER BY i DESC LIMIT 1)`;
    return { sql, type: "String" };
  };
}

function substring(ctx: FunctionContext, args: Expr[]): Fragment {
  arity("substring", args, 2, 3);
  const s = needString("substring", arg(ctx, args, 0)).sql;
  const off = needInteger("substring", arg(ctx, args, 1)).sql;
  // ClickHouse: offset 0 gives ''; a negative length stops that many characters before the end.
  if (args.length === 2) return { sql: `(CASE WHEN ${off} = 0 THEN '' ELSE substr(${s}, ${off}) END)`, type: "String" };
  const len = needInteger("substring", arg(ctx, args, 2)).sql;
  const before = `(CASE WHEN ${off} > 0 THEN ${off} - 1 ELSE MAX(length(${s}) + ${off}, 0) END)`;
  return {
    sql: `(CASE WHEN ${off} = 0 THEN '' WHEN ${len} < 0 THEN substr(${s}, ${off}, MAX(0, length(${s}) + ${len} - ${before})) ELSE substr(${s}, ${off}, ${len}) END)`,
    type: "String",
  };
}

/** format('{} of {}', a, b): the pattern must be constant; {N} picks an argument, {{ and }} are braces. */
function format(ctx: FunctionContext, args: Expr[]): Fragment {
  arity("format", args, 1, Infinity);
  const pattern = args[0];
  if (pattern?.kind !== "str") throw new SqlError("format needs a constant pattern string");
  const values = args.slice(1).map((e) => {
    const f = ctx.translate(e);
    if (f.type === "Nothing") throw new SqlError("format does not support NULL arguments");
    return toText(f);
  });
  const parts: string[] = [];
  let text = "";
  let next = 0;
  const p = pattern.value;
  for (let i = 0; i < p.length; i++) {
    const ch = p.charAt(i);
    if ((ch === "{" || ch === "}") && p.charAt(i + 1) === ch) { text += ch; i++; continue; }
    if (ch === "}") throw new SqlError("format: unbalanced '}' in the pattern");
    if (ch !== "{") { text += ch; continue; }
    const close = p.indexOf("}", i);
    const inside = close === -1 ? "x" : p.slice(i + 1, close);
    if (!/^\d*$/.test(inside)) throw new SqlError("format: placeholders are {} or {N}");
    const index = inside === "" ? next++ : Number(inside);
    const value = values[index];
    if (value === undefined) throw new SqlError(`format: the pattern wants argument ${index + 1}, but only ${values.length} were given`);
    if (text !== "") parts.push(ctx.param(text));
    text = "";
    parts.push(value);
    i = close;
  }
  if (text !== "") parts.push(ctx.param(text));
  return { sql: parts.length === 0 ? "''" : `(${balanced(parts, "||")})`, type: "String" };
}

function predicate(name: string, build: (s: string, p: string) => string): Impl {
  return (ctx, args) => {
    arity(name, args, 2);
    return { sql: build(needString(name, arg(ctx, args, 0)).sql, needString(name, arg(ctx, args, 1)).sql), type: "UInt8" };
  };
}

function length(name: string): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const f = arg(ctx, args, 0);
    if (elementType(f.type) !== null) return { sql: `json_array_length(${f.sql})`, type: "UInt64" };
    return { sql: `LENGTH(${needString(name, f).sql})`, type: "UInt64" };
  };
}

function emptiness(name: string, empty: boolean): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const f = arg(ctx, args, 0);
    const n = elementType(f.type) !== null ? `json_array_length(${f.sql})` : `LENGTH(${needString(name, f).sql})`;
    return { sql: `(${n} ${empty ? "=" : ">"} 0)`, type: "UInt8" };
  };
}

function asciiCase(name: string, fn: "LOWER" | "UPPER"): Impl {
  return (ctx, args) => { arity(name, args, 1); return { sql: `${fn}(${needString(name, arg(ctx, args, 0)).sql})`, type: "String" }; };
}

export const STRING_FUNCTIONS: Record<string, Impl> = {
  length: length("length"),
  lengthutf8: length("lengthUTF8"),
  empty: emptiness("empty", true),
  notempty: emptiness("notEmpty", false),
  lower: asciiCase("lower", "LOWER"),
  upper: asciiCase("upper", "UPPER"),
  lowerutf8: utf8Case("lowerUTF8", true),
  upperutf8: utf8Case("upperUTF8", false),
  tolower: utf8Case("toLower", true),
  toupper: utf8Case("toUpper", false),
  startswith: predicate("startsWith", (s, p) => `(substr(${s}, 1, length(${p})) = ${p})`),
  endswith: predicate("endsWith", (s, p) => `(${p} = '' OR substr(${s}, -length(${p})) = ${p})`),
  // position(haystack, needle); the parser turns position(needle IN haystack) into this.
  position: (ctx, args) => {
    arity("position", args, 2);
    return { sql: `instr(${needString("position", arg(ctx, args, 0)).sql}, ${needString("position", arg(ctx, args, 1)).sql})`, type: "UInt64" };
  },
  substring: (ctx, args) => substring(ctx, args),
  substr: (ctx, args) => substring(ctx, args),
  substringutf8: (ctx, args) => substring(ctx, args),
  format: (ctx, args) => format(ctx, args),
  concat: (ctx, args) => {
    arity("concat", args, 1, Infinity);
    return { sql: `(${balanced(args.map((e) => toText(ctx.translate(e))), "||")})`, type: "String" };
  },
};
