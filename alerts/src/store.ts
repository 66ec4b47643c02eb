/**
 * The evaluator's own tables in the AlertState Durable Object's SQLite (layout in
 * alerts/README.md): firing states, history, run summaries and quota stops. Deliveries
 * are the notify module's tables in the same database.
 */
import type { HistoryEntry, RunSummary, RuleState } from "@tenantscope/core/alert-state";

/** Enough history for the Alerts page; older entries are dropped after each run. */
export const HISTORY_KEEP = 10_000;
export const RUNS_KEEP = 1_440;

export interface StopRow {
  rule: string;
  tenant: string;
  /** The period's end: the stop is lifted (and its row deleted) by the first run after it. */
  until: string;
}

export type Filter = { rule?: string; tenant?: string };

export function initStore(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS states (
    rule TEXT NOT NULL, tenant TEXT NOT NULL, since TEXT NOT NULL, last_notified TEXT,
    value REAL NOT NULL, threshold REAL NOT NULL, evaluated_at TEXT NOT NULL, PRIMARY KEY (rule, tenant))`);
  sql.exec(`CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, rule TEXT NOT NULL, tenant TEXT NOT NULL,
    event TEXT NOT NULL, value REAL NOT NULL, threshold REAL NOT NULL)`);
  sql.exec(`CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, rules INTEGER NOT NULL, tenants INTEGER NOT NULL,
    sql_queries INTEGER NOT NULL, cpu_ms REAL, wall_ms REAL NOT NULL, error TEXT)`);
  sql.exec(`CREATE TABLE IF NOT EXISTS stops (
    rule TEXT NOT NULL, tenant TEXT NOT NULL, until TEXT NOT NULL, PRIMARY KEY (rule, tenant, until))`);
}

/** SQLite values back to a string or a number (the columns above hold nothing else). */
type Cell = SqlStorageValue | undefined;
const text = (v: Cell): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const textOrNull = (v: Cell): string | null => (v === null || v === undefined ? null : text(v));
const number = (v: Cell): number => (typeof v === "number" ? v : Number(v));

function where(filter: Filter | undefined): { clause: string; args: string[] } {
  const parts: string[] = [];
  const args: string[] = [];
  if (filter?.rule !== undefined) {
    parts.push("rule = ?");
    args.push(filter.rule);
  }
  if (filter?.tenant !== undefined) {
    parts.push("tenant = ?");
    args.push(filter.tenant);
  }
  return { clause: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, args };
}

export function readStates(sql: SqlStorage, filter?: Filter): RuleState[] {
  const w = where(filter);
  return sql.exec(`SELECT * FROM states ${w.clause} ORDER BY since DESC, rule, tenant`, ...w.args).toArray().map((r) => ({
    rule: text(r.rule),
    tenant: text(r.tenant),
    status: "firing",
    since: text(r.since),
    lastNotified: textOrNull(r.last_notified),
    value: number(r.value),
    threshold: number(r.threshold),
    evaluatedAt: text(r.evaluated_at),
  }));
}

/** Replaces every state: what is not in `states` is ok now (its row goes); the rest are upserted. */
export function writeStates(sql: SqlStorage, states: readonly RuleState[]): void {
  const keep = new Set(states.map((s) => `${s.rule}\u0000${s.tenant}`));
  for (const old of sql.exec<{ rule: string; tenant: string }>("SELECT rule, tenant FROM states").toArray()) {
    if (!keep.has(`${old.rule}\u0000${old.tenant}`)) sql.exec("DELETE FROM states WHERE rule = ? AND tenant = ?", old.rule, old.tenant);
  }
  for (const s of states) {
    sql.exec(
      `INSERT INTO states VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule, tenant) DO UPDATE SET
        since = excluded.since, last_notified = excluded.last_notified, value = excluded.value,
        threshold = excluded.threshold, evaluated_at = excluded.evaluated_at`,
      s.rule, s.tenant, s.since ?? s.evaluatedAt, s.lastNotified, s.value, s.threshold, s.evaluatedAt,
    );
  }
}

export function addHistory(sql: SqlStorage, entries: readonly HistoryEntry[]): void {
  for (const e of entries) sql.exec("INSERT INTO history (at, rule, tenant, event, value, threshold) VALUES (?, ?, ?, ?, ?, ?)", e.at, e.rule, e.tenant, e.event, e.value, e.threshold);
}

export function readHistory(sql: SqlStorage, limit: number, filter?: Filter): HistoryEntry[] {
  const w = where(filter);
  return sql.exec(`SELECT * FROM history ${w.clause} ORDER BY id DESC LIMIT ?`, ...w.args, limit).toArray().map((r) => ({
    at: text(r.at),
    rule: text(r.rule),
    tenant: text(r.tenant),
    event: text(r.event) as HistoryEntry["event"],
    value: number(r.value),
    threshold: number(r.threshold),
  }));
}

export function addRun(sql: SqlStorage, run: RunSummary): void {
  sql.exec("INSERT INTO runs (at, rules, tenants, sql_queries, cpu_ms, wall_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)", run.at, run.rules, run.tenants, run.sqlQueries, run.cpuMs, run.wallMs, run.error);
  sql.exec("DELETE FROM runs WHERE id <= (SELECT MAX(id) FROM runs) - ?", RUNS_KEEP);
  sql.exec("DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?", HISTORY_KEEP);
}

export function readRuns(sql: SqlStorage, limit: number): RunSummary[] {
  return sql.exec("SELECT * FROM runs ORDER BY id DESC LIMIT ?", limit).toArray().map((r) => ({
    at: text(r.at),
    rules: number(r.rules),
    tenants: number(r.tenants),
    sqlQueries: number(r.sql_queries),
    cpuMs: r.cpu_ms === null || r.cpu_ms === undefined ? null : number(r.cpu_ms),
    wallMs: number(r.wall_ms),
    error: textOrNull(r.error),
  }));
}

export function addStop(sql: SqlStorage, stop: StopRow): void {
  sql.exec("INSERT OR IGNORE INTO stops (rule, tenant, until) VALUES (?, ?, ?)", stop.rule, stop.tenant, stop.until);
}

/** The stops made and not lifted yet. */
export function readStops(sql: SqlStorage): StopRow[] {
  return sql.exec("SELECT * FROM stops ORDER BY until").toArray().map((r) => ({ rule: text(r.rule), tenant: text(r.tenant), until: text(r.until) }));
}

export function removeStop(sql: SqlStorage, stop: StopRow): void {
  sql.exec("DELETE FROM stops WHERE rule = ? AND tenant = ? AND until = ?", stop.rule, stop.tenant, stop.until);
}
