/**
 * What the SELECTs of one query share as they are translated (the outer one and those
 * in FROM): the bound strings, the common table expressions, and fresh names.
 */
import { SQLITE_MAX_PARAMS } from "./limits.ts";

export class QueryScope {
  readonly params: string[] = [];
  readonly ctes: string[] = [];
  private readonly cteNames = new Map<string, string>();
  private readonly bound = new Map<string, string>();
  private names = 0;

  /**
   * A string as SQL: a bound parameter (the same string binds once), or past SQLite's
   * 100 parameters a hex blob literal cast to text, which is as inert: only [0-9A-F]
   * reach the SQL text.
   */
  string(value: string): string {
    const known = this.bound.get(value);
    if (known !== undefined) return known;
    let sql: string;
    if (this.params.length < SQLITE_MAX_PARAMS) {
      this.params.push(value);
      sql = `?${this.params.length}`;
    } else {
      const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, "0")).join("");
      sql = hex === "" ? "''" : `CAST(X'${hex}' AS TEXT)`;
    }
    this.bound.set(value, sql);
    return sql;
  }

  /**
   * Adds a common table expression, computed once per query; returns its name. The same
   * body twice is one CTE (several quantiles of one column share their sorted pass).
   */
  cte(prefix: string, body: string): string {
    const known = this.cteNames.get(body);
    if (known !== undefined) return known;
    const name = `${prefix}${this.ctes.length}`;
    this.ctes.push(`${name} AS MATERIALIZED (${body})`);
    this.cteNames.set(body, name);
    return name;
  }

  /** A name no user text can produce (they are never spliced in): for hoisted arguments. */
  fresh(): string {
    return `_h${++this.names}_`;
  }

  with(): string {
    return this.ctes.length === 0 ? "" : `WITH ${this.ctes.join(", ")} `;
  }
}
