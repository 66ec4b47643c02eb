/**
 * The audit log of plan and assignment changes: a SQLite Durable Object that is also
 * the one writer of those changes. Each change runs alone (blockConcurrencyWhile), so
 * the "old" value it records is the value its own write replaced, even when two
 * operators save at once. The log stays with the account, survives deploys, and is
 * queried by the plans page.
 */
import { DurableObject } from "cloudflare:workers";

export type AuditAction = "plan" | "assignment";

export interface AuditChange {
  actor: string;
  action: AuditAction;
  /** The KV key written (`plan:<name>` or `tenant:<name>`). */
  key: string;
  value: string;
}

export interface AuditEntry {
  id: number;
  /** ISO time of the change. */
  at: string;
  actor: string;
  action: AuditAction;
  key: string;
  /** The value replaced; null when the key did not exist. */
  old: string | null;
  new: string;
}

const MAX_LIST = 500;

/** The object reads and writes only the PLANS KV. */
type AuditEnv = Pick<Env, "PLANS">;

export class AuditLog extends DurableObject<AuditEnv> {
  constructor(ctx: DurableObjectState, env: AuditEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      key TEXT NOT NULL,
      old TEXT,
      new TEXT NOT NULL
    )`);
  }

  /** Reads the old value, writes the new one to KV, records both. A failed KV write records nothing. */
  async apply(change: AuditChange): Promise<AuditEntry> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const old = await this.env.PLANS.get(change.key);
      await this.env.PLANS.put(change.key, change.value);
      const at = new Date().toISOString();
      const row = this.ctx.storage.sql
        .exec<{ id: number }>(
          "INSERT INTO audit (at, actor, action, key, old, new) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
          at,
          change.actor,
          change.action,
          change.key,
          old,
          change.value,
        )
        .one();
      return { id: row.id, at, actor: change.actor, action: change.action, key: change.key, old, new: change.value };
    });
  }

  /** Newest first; `keys` limits the log to some keys (a scoped operator sees their tenant's). */
  list(limit: number, keys?: string[]): AuditEntry[] {
    const n = Math.min(Math.max(1, Math.trunc(limit)), MAX_LIST);
    const filter = keys === undefined ? "" : `WHERE key IN (${keys.map(() => "?").join(", ") || "NULL"})`;
    const rows = this.ctx.storage.sql.exec<{ id: number; at: string; actor: string; action: string; key: string; old: string | null; new: string }>(
      `SELECT id, at, actor, action, key, old, new FROM audit ${filter} ORDER BY id DESC LIMIT ?`,
      ...(keys ?? []),
      n,
    );
    return [...rows].map((r) => ({ ...r, action: r.action === "plan" ? "plan" : "assignment" }));
  }
}
