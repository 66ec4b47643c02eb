/**
 * LIKE and ILIKE. LIKE is case-sensitive in ClickHouse but not in SQLite; GLOB is, so
 * LIKE patterns become GLOB patterns. SQLite in Durable Objects refuses patterns over
 * 50 bytes, so longer ones of the usual shapes (no `_`, `%` only at the ends or once in
 * the middle) are matched with substr/instr, and other long ones are refused by name.
 */
import { SqlError } from "./errors.ts";
import { SQLITE_MAX_LIKE_BYTES } from "./limits.ts";

export function likeToGlob(pattern: string): string {
  let glob = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\" && i + 1 < pattern.length) { glob += escapeGlob(pattern.charAt(++i)); continue; }
    glob += ch === "%" ? "*" : ch === "_" ? "?" : escapeGlob(ch);
  }
  return glob;
}
function escapeGlob(ch: string): string {
  return ch === "*" || ch === "?" || ch === "[" ? `[${ch}]` : ch;
}

const bytes = (s: string): number => new TextEncoder().encode(s).length;
/** SQLite counts characters of TEXT in code points. */
const chars = (s: string): number => s.match(/[\s\S]/gu)?.length ?? 0;
/** SQLite's lower() and LIKE fold ASCII letters only. */
const foldAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The pattern's literal runs between unescaped `%`; null when it has an unescaped `_`. */
function segments(pattern: string): string[] | null {
  const out = [""];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "_") return null;
    if (ch === "%") out.push("");
    else out[out.length - 1] += ch === "\\" && i + 1 < pattern.length ? pattern.charAt(++i) : ch;
  }
  return out;
}

export function likeSql(ctx: { param(value: string): string }, x: string, pattern: string, insensitive: boolean): string {
  const glob = likeToGlob(pattern);
  if (bytes(insensitive ? pattern : glob) <= SQLITE_MAX_LIKE_BYTES) {
    return insensitive ? `(${x} LIKE ${ctx.param(pattern)} ESCAPE '\\')` : `(${x} GLOB ${ctx.param(glob)})`;
  }
  const parts = segments(insensitive ? foldAscii(pattern) : pattern);
  const middle = parts?.slice(1, -1).filter((s) => s !== "") ?? [];
  if (parts === null || middle.length > 1) {
    throw new SqlError(`LIKE pattern of ${bytes(pattern)} bytes: over SQLite's ${SQLITE_MAX_LIKE_BYTES}-byte LIKE pattern limit in Durable Objects, ` +
      "the local AE matches long patterns only of the forms 'text', 'prefix%', '%suffix', 'prefix%suffix' and '%text%' (without _)");
  }
  const s = insensitive ? `lower(${x})` : x;
  const first = parts[0] ?? "";
  const last = parts.length > 1 ? parts[parts.length - 1] ?? "" : "";
  if (parts.length === 1) return `(${s} = ${ctx.param(first)})`;
  const conds: string[] = [];
  if (first !== "") conds.push(`substr(${s}, 1, ${chars(first)}) = ${ctx.param(first)}`);
  if (last !== "") conds.push(`substr(${s}, -${chars(last)}) = ${ctx.param(last)}`);
  const ends = chars(first) + chars(last);
  const inner = middle[0];
  // The ends must not overlap, and the middle run must lie between them.
  if (inner !== undefined) conds.push(`instr(substr(${s}, ${chars(first) + 1}, length(${s}) - ${ends}), ${ctx.param(inner)}) > 0`);
  if ((first !== "" && last !== "") || inner !== undefined) conds.push(`length(${s}) >= ${ends + chars(inner ?? "")}`);
  return conds.length === 0 ? "1" : `(${conds.join(" AND ")})`;
}
