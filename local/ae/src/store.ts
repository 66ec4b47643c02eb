/**
 * The local Analytics Engine's storage: one SQLite-backed Durable Object per dataset
 * (idFromName(dataset)), plus one catalog object (idFromName(CATALOG)) that lists the
 * datasets for SHOW TABLES. Columns mirror AE's: timestamp (ms epoch), _sample_interval,
 * index1, blob1..blob20, double1..double20.
 *
 * Points are clustered by time (a WITHOUT ROWID table keyed by (timestamp, seq)): the
 * usual query reads a recent window, and then reads only that part of the table, in
 * order, instead of a full scan or an index lookup per row.
 */
import { DurableObject } from "cloudflare:workers";
import { type StoredPoint, BLOB_COLUMNS, DOUBLE_COLUMNS } from "./point.ts";
import { MAX_RESULT_BYTES } from "./sql/limits.ts";

/** The catalog's object name; "__" cannot start a dataset name, so it never collides. */
export const CATALOG = "__catalog";

/** AE keeps data for 3 months; we drop anything older, checked at most once a minute. */
const RETENTION_CHECK_MS = 60_000;

const DATA_COLUMNS = ["_sample_interval", "index1", ...BLOB_COLUMNS, ...DOUBLE_COLUMNS];
const COLUMNS = ["timestamp", "seq", ...DATA_COLUMNS];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS points (
  timestamp INTEGER NOT NULL, seq INTEGER NOT NULL, _sample_interval INTEGER NOT NULL, index1 TEXT NOT NULL,
  ${BLOB_COLUMNS.map((c) => `${c} TEXT`).join(", ")},
  ${DOUBLE_COLUMNS.map((c) => `${c} REAL`).join(", ")},
  PRIMARY KEY (timestamp, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS datasets (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`;

const INSERT = `INSERT INTO points (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/** State written before the clustered layout: a rowid table with a timestamp index. */
export function migrateRowidTable(sql: SqlStorage): void {
  const found = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'points'").toArray()[0];
  if (found === undefined || /WITHOUT ROWID/i.test(found.sql)) return;
  sql.exec("DROP INDEX IF EXISTS points_by_time");
  sql.exec("ALTER TABLE points RENAME TO points_v1");
  sql.exec(SCHEMA);
  sql.exec(`INSERT INTO points (${COLUMNS.join(", ")}) SELECT timestamp, rowid, ${DATA_COLUMNS.join(", ")} FROM points_v1`);
  sql.exec("INSERT OR REPLACE INTO store_meta (key, value) SELECT 'seq', IFNULL(MAX(rowid), 0) FROM points_v1");
  sql.exec("DROP TABLE points_v1");
}

/** The oldest timestamp AE still keeps at `now`: the same instant three calendar months ago. */
export function retentionCutoff(now: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 3);
  return d.getTime();
}

export interface QueryResult {
  columns: string[];
  rows: SqlStorageValue[][];
  /** Set, with no rows, when the rows are over MAX_RESULT_BYTES: one RPC could not carry them. */
  tooLarge?: true;
}

/** About what a value costs in the RPC answer. */
function size(v: SqlStorageValue): number {
  return typeof v === "string" ? v.length * 2 : v instanceof ArrayBuffer ? v.byteLength : 8;
}

export class AnalyticsStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private lastRetention = 0;
  private registered = false;
  /** Orders points of the same millisecond; kept in store_meta. */
  private seq: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.storage.transactionSync(() => {
      migrateRowidTable(this.sql);
      this.sql.exec(SCHEMA);
    });
    this.seq = Number(this.sql.exec<{ value: number }>("SELECT IFNULL(MAX(value), 0) AS value FROM store_meta WHERE key = 'seq'").one().value);
  }

  /** Binding writes: the caller has validated them (see point.ts) and stamped the time. */
  async write(dataset: string, points: StoredPoint[]): Promise<number> {
    return this.insert(dataset, points);
  }

  /** Bulk import with explicit timestamps and sample intervals (local-only API). */
  async import(dataset: string, points: StoredPoint[]): Promise<number> {
    return this.insert(dataset, points);
  }

  /** Runs translated SQL (never user text: see sql/select.ts) with bound parameters. */
  query(sql: string, params: (string | number | null)[]): QueryResult {
    this.dropExpired();
    const cursor = this.sql.exec(sql, ...params);
    const rows: SqlStorageValue[][] = [];
    let bytes = 0;
    for (const row of cursor.raw()) {
      for (const v of row) bytes += size(v);
      if (bytes > MAX_RESULT_BYTES) return { columns: cursor.columnNames, rows: [], tooLarge: true };
      rows.push(row);
    }
    return { columns: cursor.columnNames, rows };
  }

  /** Catalog object only: the datasets that have ever been written to. */
  register(dataset: string): void {
    this.sql.exec("INSERT OR IGNORE INTO datasets (name) VALUES (?)", dataset);
  }

  listDatasets(): string[] {
    return this.sql.exec<{ name: string }>("SELECT name FROM datasets ORDER BY name").toArray().map((r) => r.name);
  }

  count(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM points").one().n);
  }

  private async insert(dataset: string, points: StoredPoint[]): Promise<number> {
    // All or nothing, so a failed batch never leaves half its points behind.
    this.ctx.storage.transactionSync(() => {
      let seq = this.seq;
      for (const p of points) {
        this.sql.exec(INSERT, p.timestamp, ++seq, p.sampleInterval, p.index1,
          ...BLOB_COLUMNS.map((_, i) => p.blobs[i] ?? null),
          ...DOUBLE_COLUMNS.map((_, i) => p.doubles[i] ?? null));
      }
      this.sql.exec("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('seq', ?)", seq);
      this.seq = seq;
    });
    this.dropExpired();
    if (!this.registered) {
      const catalog = this.env.AE_STORE.get(this.env.AE_STORE.idFromName(CATALOG));
      await catalog.register(dataset);
      this.registered = true;
    }
    return points.length;
  }

  private dropExpired(): void {
    const now = Date.now();
    if (now - this.lastRetention < RETENTION_CHECK_MS) return;
    this.lastRetention = now;
    this.sql.exec("DELETE FROM points WHERE timestamp < ?", retentionCutoff(now));
  }
}
