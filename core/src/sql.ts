/**
 * The SQL pieces the dashboard and the CLI share: safe literals, UTC DateTime literals,
 * and the WHERE clause that scopes every query (time window, tenant, point kinds).
 * Literals come only from validated values and are checked again here, so a slip in a
 * caller cannot become injection.
 */
import { INDEX_COLUMN, MIXED, col } from "./schema.ts";

/** Characters our validated values use (names, outcomes, `(mixed)`, `~overflow`). No quote, no backslash. */
const SAFE_LITERAL = /^[A-Za-z0-9 ._:~()-]{0,128}$/;

/** A SQL string literal. Throws on anything outside the safe set: that is a bug, not input. */
export function lit(value: string): string {
  if (!SAFE_LITERAL.test(value)) throw new Error("refusing to put an unvalidated value into SQL");
  return `'${value}'`;
}

/** A finite number literal (from validated input or our own constants). */
export function numLit(value: number): string {
  if (!Number.isFinite(value)) throw new Error("refusing a non-finite number in SQL");
  return String(value);
}

/** `toDateTime('YYYY-MM-DD hh:mm:ss')` in UTC, as AE and the local stand-in read it. */
export function dateTime(ms: number): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return `toDateTime(${lit(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`)})`;
}

export interface Scope {
  from: number;
  to: number;
  /** A scoped reader's tenant, or a page's tenant; null = every tenant. */
  tenant: string | null;
  /** Extra conditions, each already built from the schema. */
  extra?: readonly string[];
  /**
   * Include the dispatcher's own answers (points of kind `dispatcher`, SCHEMA.md). Off
   * by default: usage, billing and plan figures count tenant invocations only. Their
   * `invocations` is 0 as well, so even a query that forgets stays right; the filter
   * also keeps their tenants out of per-tenant lists.
   */
  answers?: boolean;
}

/** The WHERE clause: the time window, the tenant filter (server-side scoping), the point kinds, extras. */
export function whereOf(scope: Scope): string {
  const parts = [`timestamp >= ${dateTime(scope.from)}`, `timestamp < ${dateTime(scope.to)}`];
  if (scope.tenant !== null) parts.push(`${INDEX_COLUMN} = ${lit(scope.tenant)}`);
  if (scope.answers !== true) parts.push(`${col("pointKind")} != ${lit("dispatcher")}`);
  parts.push(...(scope.extra ?? []));
  return `WHERE ${parts.join(" AND ")}`;
}

/** An error is any known outcome other than `ok` (documented in the README). */
export function errorCondition(): string {
  return `${col("outcome")} NOT IN (${lit("ok")}, ${lit(MIXED)})`;
}
