/**
 * The local dispatch namespaces' storage: one SQLite-backed Durable Object holds
 * every namespace, script and module, so state persists across dev restarts.
 * Layout: the "Storage" section of local/README.md.
 */
import { DurableObject } from "cloudflare:workers";
import { etagOf } from "./etag.ts";
import { MAX_TAGS, TAGS_SCHEMA, backfillTagIndex, scriptWhere, writeTagIndex } from "./tags.ts";
import { CHUNK_BYTES, RPC_PART_BYTES, chunksOf, joined, type ChunkKey, type ModuleParts } from "./chunks.ts";
import type { ModuleRecord, NamespaceRecord, ScriptPage, ScriptRecord, ScriptUpload, TagChange, TagFilter } from "./types.ts";

/** Parts of an upload that never completed are dropped after this long. */
const STAGING_TTL_MS = 60 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS namespaces (
  name TEXT PRIMARY KEY, id TEXT NOT NULL, created_on TEXT NOT NULL, modified_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scripts (
  namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, etag TEXT NOT NULL,
  created_on TEXT NOT NULL, modified_on TEXT NOT NULL, format TEXT NOT NULL, main_module TEXT NOT NULL,
  compatibility_date TEXT, compatibility_flags TEXT NOT NULL, bindings TEXT NOT NULL,
  tags TEXT NOT NULL, tail_consumers TEXT NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
);
CREATE TABLE IF NOT EXISTS modules (
  namespace TEXT NOT NULL, script TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
  chunk INTEGER NOT NULL, content BLOB NOT NULL,
  PRIMARY KEY (namespace, script, name, chunk)
);
CREATE TABLE IF NOT EXISTS staged_parts (
  staging TEXT NOT NULL, part INTEGER NOT NULL, chunk INTEGER NOT NULL, content BLOB NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (staging, part, chunk)
);`;

type Row = Record<string, SqlStorageValue>;


function str(row: Row, key: string): string {
  const v = row[key];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

function toScript(row: Row): ScriptRecord {
  const date = row.compatibility_date;
  return {
    namespace: str(row, "namespace"),
    name: str(row, "name"),
    id: str(row, "id"),
    etag: str(row, "etag"),
    createdOn: str(row, "created_on"),
    modifiedOn: str(row, "modified_on"),
    format: str(row, "format") === "service-worker" ? "service-worker" : "modules",
    mainModule: str(row, "main_module"),
    compatibilityDate: typeof date === "string" ? date : null,
    compatibilityFlags: JSON.parse(str(row, "compatibility_flags")) as string[],
    bindings: JSON.parse(str(row, "bindings")) as ScriptRecord["bindings"],
    tags: JSON.parse(str(row, "tags")) as string[],
    tailConsumers: JSON.parse(str(row, "tail_consumers")) as ScriptRecord["tailConsumers"],
    settings: JSON.parse(str(row, "settings") || "{}") as ScriptRecord["settings"],
    size: Number(row.size ?? 0),
  };
}

export class Registry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    // Added after the first release: a state folder from before has no such column.
    const columns = this.sql.exec("SELECT name FROM pragma_table_info('scripts')").toArray().map((r) => str(r, "name"));
    if (!columns.includes("settings")) this.sql.exec("ALTER TABLE scripts ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'");
    this.sql.exec(TAGS_SCHEMA);
    backfillTagIndex(this.sql);
  }

  private namespaceRow(name: string): NamespaceRecord | null {
    const rows = this.sql.exec(
      `SELECT n.name, n.id, n.created_on, n.modified_on,
        (SELECT COUNT(*) FROM scripts s WHERE s.namespace = n.name) AS script_count
       FROM namespaces n WHERE n.name = ?`, name).toArray();
    const row = rows[0];
    return row === undefined ? null : {
      name: str(row, "name"), id: str(row, "id"), createdOn: str(row, "created_on"),
      modifiedOn: str(row, "modified_on"), scriptCount: Number(row.script_count ?? 0),
    };
  }

  createNamespace(name: string): { created: boolean; namespace: NamespaceRecord } {
    const existing = this.namespaceRow(name);
    if (existing !== null) return { created: false, namespace: existing };
    const now = new Date().toISOString();
    this.sql.exec("INSERT INTO namespaces (name, id, created_on, modified_on) VALUES (?, ?, ?, ?)",
      name, crypto.randomUUID(), now, now);
    const created = this.namespaceRow(name);
    if (created === null) throw new Error(`namespace ${name} vanished after insert`);
    return { created: true, namespace: created };
  }

  getNamespace(name: string): NamespaceRecord | null {
    return this.namespaceRow(name);
  }

  listNamespaces(): NamespaceRecord[] {
    const names = this.sql.exec("SELECT name FROM namespaces ORDER BY name").toArray();
    return names.map((r) => this.namespaceRow(str(r, "name"))).filter((n): n is NamespaceRecord => n !== null);
  }

  /** Deleting a namespace removes its scripts at once, as Cloudflare does. */
  deleteNamespace(name: string): boolean {
    if (this.namespaceRow(name) === null) return false;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM modules WHERE namespace = ?", name);
      this.sql.exec("DELETE FROM script_tags WHERE namespace = ?", name);
      this.sql.exec("DELETE FROM scripts WHERE namespace = ?", name);
      this.sql.exec("DELETE FROM namespaces WHERE name = ?", name);
    });
    return true;
  }

  async putScript(namespace: string, name: string, upload: ScriptUpload):
    Promise<{ ok: true; created: boolean; script: ScriptRecord } | { ok: false; reason: "namespace_not_found" }> {
    if (this.namespaceRow(namespace) === null) return { ok: false, reason: "namespace_not_found" };
    const etag = await etagOf(upload);
    const now = new Date().toISOString();
    const previous = this.getScript(namespace, name);
    const size = upload.modules.reduce((n, m) => n + m.content.byteLength, 0);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM modules WHERE namespace = ? AND script = ?", namespace, name);
      this.sql.exec(
        `INSERT OR REPLACE INTO scripts (namespace, name, id, etag, created_on, modified_on, format, main_module,
          compatibility_date, compatibility_flags, bindings, tags, tail_consumers, settings, size)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        namespace, name, name, etag, previous?.createdOn ?? now, now, upload.format, upload.mainModule,
        upload.compatibilityDate, JSON.stringify(upload.compatibilityFlags), JSON.stringify(upload.bindings),
        JSON.stringify(upload.tags), JSON.stringify(upload.tailConsumers), JSON.stringify(upload.settings), size);
      writeTagIndex(this.sql, namespace, name, upload.tags);
      for (const mod of upload.modules) {
        chunksOf(mod.content).forEach((content, chunk) => {
          this.sql.exec("INSERT INTO modules (namespace, script, name, type, chunk, content) VALUES (?, ?, ?, ?, ?, ?)",
            namespace, name, mod.name, mod.type, chunk, content);
        });
      }
      this.sql.exec("UPDATE namespaces SET modified_on = ? WHERE name = ?", now, namespace);
    });
    const script = this.getScript(namespace, name);
    if (script === null) throw new Error(`script ${namespace}/${name} vanished after insert`);
    return { ok: true, created: previous === null, script };
  }

  getScript(namespace: string, name: string): ScriptRecord | null {
    const row = this.sql.exec("SELECT * FROM scripts WHERE namespace = ? AND name = ?", namespace, name).toArray()[0];
    return row === undefined ? null : toScript(row);
  }

  /**
   * The code of one script version, in parts of at most RPC_PART_BYTES: module chunks
   * in (name, chunk) order after `from`. Null when the version was replaced or deleted
   * meanwhile, so a reader never mixes two versions.
   */
  readModules(namespace: string, name: string, etag: string, from: ChunkKey | null): ModuleParts | null {
    const script = this.getScript(namespace, name);
    if (script === null || script.etag !== etag) return null;
    const after = from ?? { module: "", chunk: -1 };
    const rows = this.sql.exec(
      `SELECT name, type, chunk, content FROM modules WHERE namespace = ? AND script = ? AND (name, chunk) > (?, ?)
       ORDER BY name, chunk LIMIT ?`,
      namespace, name, after.module, after.chunk, RPC_PART_BYTES / CHUNK_BYTES + 1).toArray();
    const chunks = rows.map((row) => ({
      module: str(row, "name"), type: str(row, "type") as ModuleRecord["type"], chunk: Number(row.chunk ?? 0),
      content: row.content instanceof ArrayBuffer ? row.content : new ArrayBuffer(0),
    }));
    const part = chunks.slice(0, RPC_PART_BYTES / CHUNK_BYTES);
    const last = part[part.length - 1];
    return { chunks: part, next: chunks.length > part.length && last !== undefined ? { module: last.module, chunk: last.chunk } : null };
  }

  /** One part of an upload too big for one call (transfer.ts); putStagedScript consumes it. */
  stagePart(staging: string, part: number, content: ArrayBuffer): void {
    const now = Date.now();
    this.sql.exec("DELETE FROM staged_parts WHERE created_at < ?", now - STAGING_TTL_MS);
    chunksOf(content).forEach((bytes, chunk) => {
      this.sql.exec("INSERT OR REPLACE INTO staged_parts (staging, part, chunk, content, created_at) VALUES (?, ?, ?, ?, ?)",
        staging, part, chunk, bytes, now);
    });
  }

  /** putScript, with the modules' bytes staged in parts: `sizes[i]` bytes of them are module i's. */
  async putStagedScript(namespace: string, name: string, upload: ScriptUpload, sizes: number[], staging: string):
    ReturnType<Registry["putScript"]> {
    const rows = this.sql.exec("SELECT content FROM staged_parts WHERE staging = ? ORDER BY part, chunk", staging).toArray();
    this.sql.exec("DELETE FROM staged_parts WHERE staging = ?", staging);
    const all = joined(rows.map((r) => (r.content instanceof ArrayBuffer ? new Uint8Array(r.content) : new Uint8Array())));
    const expected = sizes.reduce((n, size) => n + size, 0);
    if (all.length !== expected || sizes.length !== upload.modules.length) {
      throw new Error(`staged upload ${staging}: ${all.length} bytes arrived, ${expected} expected`);
    }
    let offset = 0;
    const modules = upload.modules.map((mod, i) => {
      const size = sizes[i] ?? 0;
      const content = all.slice(offset, offset + size).buffer;
      offset += size;
      return { ...mod, content };
    });
    return this.putScript(namespace, name, { ...upload, modules });
  }

  deleteScript(namespace: string, name: string): boolean {
    if (this.getScript(namespace, name) === null) return false;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM modules WHERE namespace = ? AND script = ?", namespace, name);
      this.sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ?", namespace, name);
      this.sql.exec("DELETE FROM scripts WHERE namespace = ? AND name = ?", namespace, name);
    });
    return true;
  }

  /** Keyset pagination by name: a cursor stays valid while scripts come and go. */
  listScripts(namespace: string, limit: number, after: string | null, filter: TagFilter | null = null): ScriptPage {
    const { where, params } = scriptWhere(namespace, after, filter);
    const rows = this.sql.exec(`SELECT s.* FROM scripts s WHERE ${where} ORDER BY s.name LIMIT ?`, ...params, limit + 1).toArray();
    const scripts = rows.slice(0, limit).map(toScript);
    const last = scripts[scripts.length - 1];
    return { scripts, nextAfter: rows.length > limit && last !== undefined ? last.name : null };
  }

  /** Deletes every script the filter matches, in one transaction; returns their names. */
  deleteScriptsMatching(namespace: string, filter: TagFilter): string[] | null {
    if (this.namespaceRow(namespace) === null) return null;
    const { where, params } = scriptWhere(namespace, null, filter);
    const names = this.sql.exec(`SELECT s.name FROM scripts s WHERE ${where} ORDER BY s.name`, ...params)
      .toArray().map((r) => str(r, "name"));
    this.ctx.storage.transactionSync(() => {
      for (const name of names) {
        this.sql.exec("DELETE FROM modules WHERE namespace = ? AND script = ?", namespace, name);
        this.sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ?", namespace, name);
        this.sql.exec("DELETE FROM scripts WHERE namespace = ? AND name = ?", namespace, name);
      }
    });
    return names;
  }

  /**
   * Reads, changes and writes one script's tags atomically: the DO runs one call
   * at a time, so two concurrent adds cannot together pass the 8-tag limit. The
   * script's code, etag and modified_on stay as they are (tags are labels).
   */
  changeTags(namespace: string, name: string, op: { set: string[] } | { add: string } | { remove: string }): TagChange {
    const script = this.getScript(namespace, name);
    if (script === null) {
      return { ok: false, reason: this.namespaceRow(namespace) === null ? "namespace_not_found" : "script_not_found" };
    }
    let tags: string[];
    if ("set" in op) tags = op.set;
    else if ("add" in op) tags = script.tags.includes(op.add) ? script.tags : [...script.tags, op.add];
    else tags = script.tags.filter((t) => t !== op.remove);
    if (tags.length > MAX_TAGS) return { ok: false, reason: "too_many_tags" };
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE scripts SET tags = ? WHERE namespace = ? AND name = ?", JSON.stringify(tags), namespace, name);
      writeTagIndex(this.sql, namespace, name, tags);
    });
    return { ok: true, tags };
  }
}
