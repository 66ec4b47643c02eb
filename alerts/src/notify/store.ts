/**
 * The delivery log in the evaluator Durable Object's SQLite: one row per notification
 * per webhook, with the notification itself (so a retry sends the same facts) and its
 * attempts. A pending row's `next_ms` is when it is due; a row being attempted has it
 * pushed past the attempt's timeout (a lease), so an overlapping call does not send it
 * twice and a run that died mid-attempt is retried once the lease ends.
 */
import type { Delivery, DeliveryStatus } from "@tenantscope/core/alert-state";
import type { AlertNotification, Webhook } from "@tenantscope/core/alerts";
import { urlShown } from "@tenantscope/core/alert-text";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  webhook TEXT NOT NULL,
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  rule TEXT NOT NULL,
  tenant TEXT NOT NULL,
  notification TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  created_ms INTEGER NOT NULL,
  next_ms INTEGER
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_ms);`;

/** Finished deliveries kept in the log; pending ones are never dropped. */
export const KEPT_DELIVERIES = 1000;

export function initDeliveries(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

type Row = Record<string, SqlStorageValue>;

const text = (row: Row, key: string): string => {
  const v = row[key];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
};
const numOrNull = (row: Row, key: string): number | null => (typeof row[key] === "number" ? row[key] : null);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function isStatus(v: string): v is DeliveryStatus {
  return v === "pending" || v === "delivered" || v === "failed";
}

function isEvent(v: string): v is AlertNotification["event"] {
  return v === "firing" || v === "still_firing" || v === "resolved" || v === "test";
}

export function toDelivery(row: Row): Delivery {
  const status = text(row, "status");
  const event = text(row, "event");
  return {
    id: text(row, "id"),
    webhook: text(row, "webhook"),
    url: text(row, "url"),
    event: isEvent(event) ? event : "test",
    rule: text(row, "rule"),
    tenant: text(row, "tenant"),
    status: isStatus(status) ? status : "failed",
    attempts: Number(row.attempts ?? 0),
    lastStatus: numOrNull(row, "last_status"),
    lastError: typeof row.last_error === "string" ? row.last_error : null,
    createdAt: iso(Number(row.created_ms ?? 0)) ?? "",
    nextAttemptAt: status === "pending" ? iso(numOrNull(row, "next_ms")) : null,
  };
}

/** Adds a delivery due now, and trims the log to the newest finished ones. */
export function enqueue(sql: SqlStorage, hook: Webhook, n: AlertNotification, nowMs: number): Delivery {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO deliveries (id, webhook, url, event, rule, tenant, notification, status, attempts, created_ms, next_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    id, hook.id, urlShown(hook.url), n.event, n.rule.id, n.tenant, JSON.stringify(n), nowMs, nowMs,
  );
  sql.exec(
    `DELETE FROM deliveries WHERE status != 'pending' AND seq NOT IN
       (SELECT seq FROM deliveries WHERE status != 'pending' ORDER BY seq DESC LIMIT ?)`,
    KEPT_DELIVERIES,
  );
  return {
    id, webhook: hook.id, url: urlShown(hook.url), event: n.event, rule: n.rule.id, tenant: n.tenant,
    status: "pending", attempts: 0, lastStatus: null, lastError: null, createdAt: new Date(nowMs).toISOString(), nextAttemptAt: new Date(nowMs).toISOString(),
  };
}

export function getDelivery(sql: SqlStorage, id: string): Delivery | null {
  const row = sql.exec("SELECT * FROM deliveries WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : toDelivery(row);
}

/** Newest first. */
export function listDeliveries(sql: SqlStorage, limit: number): Delivery[] {
  const n = Math.max(1, Math.min(KEPT_DELIVERIES, Math.floor(limit)));
  return sql.exec("SELECT * FROM deliveries ORDER BY seq DESC LIMIT ?", n).toArray().map(toDelivery);
}

export interface DueDelivery {
  id: string;
  webhook: string;
  attempts: number;
  notification: AlertNotification;
}

/** Takes up to `limit` due deliveries, oldest due first, and leases them until `leaseUntilMs`. */
export function claimDue(sql: SqlStorage, nowMs: number, limit: number, leaseUntilMs: number): DueDelivery[] {
  const rows = sql.exec(
    "SELECT id, webhook, attempts, notification FROM deliveries WHERE status = 'pending' AND next_ms <= ? ORDER BY next_ms, seq LIMIT ?",
    nowMs, limit,
  ).toArray();
  for (const row of rows) sql.exec("UPDATE deliveries SET next_ms = ? WHERE id = ?", leaseUntilMs, text(row, "id"));
  return rows.map((row) => ({
    id: text(row, "id"),
    webhook: text(row, "webhook"),
    attempts: Number(row.attempts ?? 0),
    notification: JSON.parse(text(row, "notification")) as AlertNotification,
  }));
}

export interface AttemptOutcome {
  status: DeliveryStatus;
  httpStatus: number | null;
  error: string | null;
  /** When to try again, while pending. */
  nextMs: number | null;
}

export function recordAttempt(sql: SqlStorage, id: string, outcome: AttemptOutcome): void {
  sql.exec(
    "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?, next_ms = ? WHERE id = ?",
    outcome.status, outcome.httpStatus, outcome.error, outcome.status === "pending" ? outcome.nextMs : null, id,
  );
}

/** Ends a delivery without an attempt (its webhook was deleted). */
export function abandon(sql: SqlStorage, id: string, reason: string): void {
  sql.exec("UPDATE deliveries SET status = 'failed', last_error = ?, next_ms = NULL WHERE id = ?", reason, id);
}

/** The earliest time a pending delivery is due (ms), or null when none is pending. */
export function nextDue(sql: SqlStorage): number | null {
  const row = sql.exec("SELECT MIN(next_ms) AS next FROM deliveries WHERE status = 'pending'").toArray()[0];
  return row === undefined ? null : numOrNull(row, "next");
}
