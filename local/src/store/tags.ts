/**
 * The tag index beside the `scripts` table. `scripts.tags` keeps each script's
 * tags in upload order (what the API returns); `script_tags` has one row per
 * (script, tag) so that a filtered listing of many thousand scripts is index
 * probes, not JSON parsing of every row.
 */
import type { TagFilter } from "./types.ts";

/** Cloudflare's limit; enforced here too so a concurrent add cannot exceed it. */
export const MAX_TAGS = 8;

export const TAGS_SCHEMA = `
CREATE TABLE IF NOT EXISTS script_tags (
  namespace TEXT NOT NULL, script TEXT NOT NULL, tag TEXT NOT NULL,
  PRIMARY KEY (namespace, script, tag)
);
CREATE INDEX IF NOT EXISTS script_tags_by_tag ON script_tags (namespace, tag, script);
CREATE TABLE IF NOT EXISTS registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

/** Registries persisted before the index existed get it filled once, from `scripts.tags`. */
export function backfillTagIndex(sql: SqlStorage): void {
  const done = sql.exec("SELECT value FROM registry_meta WHERE key = 'tag_index'").toArray();
  if (done.length > 0) return;
  sql.exec(`INSERT OR IGNORE INTO script_tags (namespace, script, tag)
    SELECT s.namespace, s.name, j.value FROM scripts s, json_each(s.tags) j`);
  sql.exec("INSERT INTO registry_meta (key, value) VALUES ('tag_index', '1')");
}

/** Replaces one script's index rows; call inside the transaction that writes `scripts.tags`. */
export function writeTagIndex(sql: SqlStorage, namespace: string, script: string, tags: readonly string[]): void {
  sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ?", namespace, script);
  for (const tag of tags) {
    sql.exec("INSERT OR IGNORE INTO script_tags (namespace, script, tag) VALUES (?, ?, ?)", namespace, script, tag);
  }
}

/**
 * The WHERE clause (over `scripts s`) for a namespace, an optional keyset
 * position and a tag filter. Every value is a bound parameter.
 */
export function scriptWhere(namespace: string, after: string | null, filter: TagFilter | null): { where: string; params: string[] } {
  const clauses = ["s.namespace = ?"];
  const params = [namespace];
  if (after !== null) {
    clauses.push("s.name > ?");
    params.push(after);
  }
  const probe = "SELECT 1 FROM script_tags t WHERE t.namespace = s.namespace AND t.script = s.name AND t.tag = ?";
  for (const tag of filter?.yes ?? []) {
    clauses.push(`EXISTS (${probe})`);
    params.push(tag);
  }
  for (const tag of filter?.no ?? []) {
    clauses.push(`NOT EXISTS (${probe})`);
    params.push(tag);
  }
  return { where: clauses.join(" AND "), params };
}
