/**
 * Conditional and type-conversion functions. Conversions follow ClickHouse (C++ casts):
 * floats truncate toward zero and unsigned results wrap modulo 2^bits. A string literal
 * that is not a number is refused, as ClickHouse does; a string column that is not a
 * number converts to 0 (SQLite cannot fail per row), which ClickHouse would refuse.
 */
import { SqlError } from "./errors.ts";
import { type Impl, arg, arity, commonType } from "./function-kit.ts";
import { utcOnly } from "./functions-date.ts";
import { toText } from "./functions-string.ts";
import type { Fragment, SqlType } from "./types.ts";

function branchType(a: Fragment, b: Fragment): SqlType {
  return commonType(a.type, b.type);
}

function toInteger(name: string, type: SqlType, bits: number | null): Impl {
  return (ctx, args) => {
    arity(name, args, 1);
    const f = arg(ctx, args, 0);
    if (f.literal !== undefined && !/^\s*[+-]?\d+\s*$/.test(f.literal)) throw new SqlError(`Cannot parse string '${f.literal}' as ${type} (function ${name})`);
    if (f.type === "Nothing" || f.type === "Interval" || f.type.startsWith("Array")) throw new SqlError(`Illegal type ${f.type} of argument of function ${name}`);
    const n = `CAST(${f.sql} AS INTEGER)`;
    if (bits === null) return { sql: n, type };
    const m = 2 ** bits;
    return { sql: `(((${n}) % ${m} + ${m}) % ${m})`, type };
  };
}

export const CONDITIONAL_FUNCTIONS: Record<string, Impl> = {
  if: (ctx, args) => {
    arity("if", args, 3);
    const [c, a, b] = [arg(ctx, args, 0), arg(ctx, args, 1), arg(ctx, args, 2)];
    return { sql: `(CASE WHEN ${c.sql} THEN ${a.sql} ELSE ${b.sql} END)`, type: branchType(a, b) };
  },
  // multiIf(cond1, then1, cond2, then2, …, else): the first true condition wins.
  multiif: (ctx, args) => {
    if (args.length < 3 || args.length % 2 === 0) throw new SqlError(`Function multiIf takes an odd number of arguments (at least 3), got ${args.length}`);
    const fs = args.map((e) => ctx.translate(e));
    let type: SqlType = "Nothing";
    const whens: string[] = [];
    for (let i = 0; i + 1 < fs.length; i += 2) {
      const [c, v] = [fs[i], fs[i + 1]];
      if (c === undefined || v === undefined) continue;
      type = commonType(type, v.type);
      whens.push(`WHEN ${c.sql} THEN ${v.sql}`);
    }
    const last = fs[fs.length - 1];
    if (last === undefined) throw new SqlError("multiIf needs an else branch");
    type = commonType(type, last.type);
    return { sql: `(CASE ${whens.join(" ")} ELSE ${last.sql} END)`, type };
  },
  touint8: toInteger("toUInt8", "UInt8", 8),
  touint16: toInteger("toUInt16", "UInt16", 16),
  touint32: toInteger("toUInt32", "UInt32", 32),
  touint64: toInteger("toUInt64", "UInt64", null),
  toint64: toInteger("toInt64", "Int64", null),
  tofloat64: (ctx, args) => {
    arity("toFloat64", args, 1);
    const f = arg(ctx, args, 0);
    if (f.literal !== undefined && (f.literal.trim() === "" || Number.isNaN(Number(f.literal)))) throw new SqlError(`Cannot parse string '${f.literal}' as Float64`);
    return { sql: `CAST(${f.sql} AS REAL)`, type: "Float64" };
  },
  tostring: (ctx, args) => { arity("toString", args, 1, 2); utcOnly("toString", args[1]); return { sql: toText(arg(ctx, args, 0)), type: "String" }; },
};
