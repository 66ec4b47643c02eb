/**
 * Mathematical, rounding, bit and encoding functions. workerd's SQLite has sqrt, ln,
 * log (base 10), log2, pow, exp, floor, ceil, trunc, mod and pi, but refuses log10,
 * power and ceiling ("not authorized"), so those names map onto the ones it allows.
 * round() is emulated: SQLite rounds halves away from zero, ClickHouse rounds Float64
 * halves to even (nearbyint) and integers' halves away from zero.
 */
import type { Expr } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { type FunctionContext, type Impl, arg, arity, balanced, constInteger, needInteger, needNumber, raise } from "./function-kit.ts";
import { type Fragment, type SqlType, isInteger, isUnsigned } from "./types.ts";

type Mode = "round" | "floor" | "ceil" | "trunc";

/** Rounds a REAL to an integer-valued REAL in `mode`; |y| ≥ 2^52 is already whole. */
function roundReal(y: string, mode: Mode): string {
  if (mode !== "round") return `${mode}(${y})`;
  const fl = `floor(${y})`;
  const even = `(CASE WHEN ${y} - ${fl} > 0.5 THEN ${fl} + 1 WHEN ${y} - ${fl} < 0.5 THEN ${fl} WHEN CAST(${fl} AS INTEGER) % 2 = 0 THEN ${fl} ELSE ${fl} + 1 END)`;
  return `(CASE WHEN abs(${y}) >= 4503599627370496.0 THEN ${y} ELSE ${even} END)`;
}

/** Integer x to a multiple of s = 10^k (k > 0); SQLite's / and % truncate toward zero. */
function roundInteger(x: string, s: number, mode: Mode): string {
  const floor = `(${x} - (((${x}) % ${s}) + ${s}) % ${s})`;
  switch (mode) {
    case "floor": return floor;
    case "ceil": return `(CASE WHEN (${x}) % ${s} = 0 THEN ${x} ELSE ${floor} + ${s} END)`;
    case "trunc": return `(${x} - (${x}) % ${s})`;
    case "round": return `(CASE WHEN ${x} >= 0 THEN ((${x} + ${s / 2}) / ${s}) * ${s} ELSE -(((-(${x}) + ${s / 2}) / ${s}) * ${s}) END)`;
  }
}

function rounding(name: string, mode: Mode): Impl {
  return (ctx, args) => {
    arity(name, args, 1, 2);
    const x = needNumber(name, arg(ctx, args, 0));
    const n = args.length > 1 ? constInteger(`${name} precision`, args[1]) : 0;
    if (Math.abs(n) > 18) throw new SqlError(`${name}: precision ${n} is out of range`);
    if (isInteger(x.type)) return { sql: n >= 0 ? x.sql : roundInteger(x.sql, 10 ** -n, mode), type: x.type };
    // As ClickHouse: scale, round to a whole number, scale back, all in Float64 arithmetic.
    if (n === 0) return { sql: roundReal(`CAST(${x.sql} AS REAL)`, mode), type: "Float64" };
    const scale = `1e${Math.abs(n)}`;
    return n > 0
      ? { sql: `(${roundReal(`(${x.sql} * ${scale})`, mode)} / ${scale})`, type: "Float64" }
      : { sql: `(${roundReal(`(${x.sql} / ${scale})`, mode)} * ${scale})`, type: "Float64" };
  };
}

function unary(name: string, sqlName: string): Impl {
  return (ctx, args) => { arity(name, args, 1); return { sql: `${sqlName}(${needNumber(name, arg(ctx, args, 0)).sql})`, type: "Float64" }; };
}

export const DIVISION_BY_ZERO = "Code: 153. DB::Exception: Division by zero";

/** ClickHouse's integer division and modulo: truncate toward zero (C++), fail on zero. */
export function integerDivision(ctx: FunctionContext, a: Fragment, b: Fragment, op: "/" | "%"): string {
  return `(CASE WHEN ${b.sql} = 0 THEN ${raise(ctx, DIVISION_BY_ZERO, b.sql)} ELSE ${a.sql} ${op} ${b.sql} END)`;
}

function bitwise(name: string, build: (a: string, b: string) => string, type?: SqlType): Impl {
  return (ctx, args) => {
    arity(name, args, 2);
    const a = needInteger(name, arg(ctx, args, 0));
    const b = needInteger(name, arg(ctx, args, 1));
    return { sql: build(a.sql, b.sql), type: type ?? (isUnsigned(a.type) && isUnsigned(b.type) ? "UInt64" : "Int64") };
  };
}

/** Population count of a 64-bit integer, one term per bit (x is repeated: see hoist.ts). */
function popcount(x: string): string {
  return balanced(Array.from({ length: 64 }, (_, i) => `((${x} >> ${i}) & 1)`), "+");
}

/** bitCount(bitXor(a, b)), so the xor is one argument, computed once (hoist.ts), not 64 times. */
const hammingDistance: Impl = (ctx, args) => {
  arity("bitHammingDistance", args, 2);
  const a = needInteger("bitHammingDistance", arg(ctx, args, 0));
  const b = needInteger("bitHammingDistance", arg(ctx, args, 1));
  const xor: Expr = { kind: "call", name: "bitXor", params: null, args: [{ kind: "bound", fragment: a }, { kind: "bound", fragment: b }] };
  return ctx.translate({ kind: "call", name: "bitCount", params: null, args: [xor] });
};

/** hex/bin of an integer: from the most significant non-zero byte, every byte in full. */
function integerDigits(x: string, radix: 2 | 16): string {
  const bytes = `(CASE ${[1, 2, 3, 4, 5, 6, 7].map((k) => `WHEN (${x}) >= 0 AND (${x}) < ${2 ** (8 * k)} THEN ${k}`).join(" ")} ELSE 8 END)`;
  if (radix === 16) return `substr(printf('%016X', ${x}), 17 - 2 * ${bytes})`;
  const bits = balanced(Array.from({ length: 64 }, (_, i) => `((${x} >> ${63 - i}) & 1)`), "||");
  return `substr(${bits}, 65 - 8 * ${bytes})`;
}

function encoding(name: string, radix: 2 | 16): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const f = arg(ctx, args, 0);
    if (isInteger(f.type)) return { sql: integerDigits(f.sql, radix), type: "String" };
    if (f.type === "String" && radix === 16) return { sql: `hex(CAST(${f.sql} AS BLOB))`, type: "String" };
    throw new SqlError(`${name}() of a ${f.type} is not supported by the local AE (integers${radix === 16 ? " and strings" : ""} only)`);
  };
}

function refusedBits(name: string): Impl {
  return () => {
    // Their result depends on ClickHouse's width for each literal (1 is UInt8, so bitNot(1)
    // is 254), which the local AE does not track: every integer is 64 bits here.
    throw new SqlError(`Function ${name} is not supported by the local AE: it depends on ClickHouse's integer widths`);
  };
}

export const MATH_FUNCTIONS: Record<string, Impl> = {
  round: rounding("round", "round"),
  floor: rounding("floor", "floor"),
  ceil: rounding("ceil", "ceil"),
  ceiling: rounding("ceiling", "ceil"),
  trunc: rounding("trunc", "trunc"),
  truncate: rounding("truncate", "trunc"),
  log: unary("log", "ln"),
  ln: unary("ln", "ln"),
  log2: unary("log2", "log2"),
  log10: unary("log10", "log"),
  exp: unary("exp", "exp"),
  sqrt: unary("sqrt", "sqrt"),
  pow: (ctx, args) => {
    arity("pow", args, 2);
    return { sql: `pow(${needNumber("pow", arg(ctx, args, 0)).sql}, ${needNumber("pow", arg(ctx, args, 1)).sql})`, type: "Float64" };
  },
  abs: (ctx, args) => {
    arity("abs", args, 1);
    const f = needNumber("abs", arg(ctx, args, 0));
    return { sql: `ABS(${f.sql})`, type: f.type === "Int64" ? "UInt64" : f.type };
  },
  intdiv: (ctx, args) => {
    arity("intDiv", args, 2);
    const a = needNumber("intDiv", arg(ctx, args, 0));
    const b = needNumber("intDiv", arg(ctx, args, 1));
    const type: SqlType = isUnsigned(a.type) && isUnsigned(b.type) ? "UInt64" : "Int64";
    // Float operands divide as floats and truncate after, as ClickHouse does.
    const dividend = { sql: a.type === "Float64" || b.type === "Float64" ? `CAST(${a.sql} AS REAL)` : a.sql, type: a.type };
    return { sql: `CAST(${integerDivision(ctx, dividend, b, "/")} AS INTEGER)`, type };
  },
  bitand: bitwise("bitAnd", (a, b) => `(${a} & ${b})`),
  bitor: bitwise("bitOr", (a, b) => `(${a} | ${b})`),
  bitxor: bitwise("bitXor", (a, b) => `((${a} | ${b}) - (${a} & ${b}))`),
  bitshiftleft: bitwise("bitShiftLeft", (a, b) => `(${a} << ${b})`),
  bitshiftright: bitwise("bitShiftRight", (a, b) => `(${a} >> ${b})`),
  bittest: bitwise("bitTest", (a, b) => `((${a} >> ${b}) & 1)`, "UInt8"),
  bithammingdistance: hammingDistance,
  bitcount: (ctx, args) => { arity("bitCount", args, 1); return { sql: popcount(needInteger("bitCount", arg(ctx, args, 0)).sql), type: "UInt64" }; },
  bitnot: refusedBits("bitNot"),
  bitrotateleft: refusedBits("bitRotateLeft"),
  bitrotateright: refusedBits("bitRotateRight"),
  hex: encoding("hex", 16),
  bin: encoding("bin", 2),
};
