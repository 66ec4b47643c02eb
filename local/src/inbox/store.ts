/**
 * The local webhook inbox's storage: a SQLite Durable Object keeping the newest
 * deliveries the evaluator (or anything else) POSTed to /_local/inbox/:webhook, with
 * the outcome of their signature check. Local only: production receivers are the
 * platform's own endpoints.
 */
import { DurableObject } from "cloudflare:workers";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS received (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  webhook TEXT NOT NULL,
  delivery TEXT,
  signature TEXT,
  verified INTEGER NOT NULL,
  reason TEXT,
  event TEXT,
  rule TEXT,
  tenant TEXT,
  body TEXT NOT NULL
);`;

import type { InboxEntry } from "@tenantscope/core/alert-state";

export type { InboxEntry };

/** The inbox keeps this many deliveries, the newest. */
export const INBOX_SIZE = 500;


export type NewEntry = Omit<InboxEntry, "seq" | "receivedAt">;

type Row = Record<string, SqlStorageValue>;
const textOrNull = (row: Row, key: string): string | null => (typeof row[key] === "string" ? row[key] : null);

function toEntry(row: Row): InboxEntry {
  return {
    seq: Number(row.seq),
    receivedAt: textOrNull(row, "received_at") ?? "",
    webhook: textOrNull(row, "webhook") ?? "",
    delivery: textOrNull(row, "delivery"),
    signature: textOrNull(row, "signature"),
    verified: row.verified === 1,
    reason: textOrNull(row, "reason"),
    event: textOrNull(row, "event"),
    rule: textOrNull(row, "rule"),
    tenant: textOrNull(row, "tenant"),
    body: textOrNull(row, "body") ?? "",
  };
}

export class WebhookInbox extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  add(entry: NewEntry): InboxEntry {
    const at = new Date().toISOString();
    const row = this.sql.exec(
      `INSERT INTO received (received_at, webhook, delivery, signature, verified, reason, event, rule, tenant, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      at, entry.webhook, entry.delivery, entry.signature, entry.verified ? 1 : 0, entry.reason, entry.event, entry.rule, entry.tenant, entry.body,
    ).one();
    this.sql.exec("DELETE FROM received WHERE seq <= (SELECT MAX(seq) FROM received) - ?", INBOX_SIZE);
    return toEntry(row);
  }

  /** Newest first; `after` answers only entries received after that seq (for polling). */
  list(filter: { limit: number; webhook?: string; after?: number }): InboxEntry[] {
    const rows = this.sql.exec(
      "SELECT * FROM received WHERE (? IS NULL OR webhook = ?) AND seq > ? ORDER BY seq DESC LIMIT ?",
      filter.webhook ?? null, filter.webhook ?? null, filter.after ?? 0, filter.limit,
    ).toArray();
    return rows.map(toEntry);
  }

  clear(): number {
    return this.sql.exec("DELETE FROM received").rowsWritten;
  }
}
