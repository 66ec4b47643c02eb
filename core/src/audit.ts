/**
 * The one audit log of plan and assignment changes, kept in the plans KV namespace
 * itself, so every client reaches it with the credentials it already has for KV: the
 * dashboard through its binding, the CLI (and any automation) through the KV REST API,
 * on Cloudflare and locally. Layout (core/KV.md):
 *
 * - `audit:<inverted ms>:<random>`: one entry, the value its JSON, and its metadata the
 *   same entry (old and new cut short if it would pass KV's 1024 bytes), so one key
 *   listing reads a page of the log, newest first (keys list in byte order).
 * - Every `plan:` / `tenant:` record written through this module carries metadata
 *   `{audit, sha256}`: the entry that wrote it and the hash of the value written. A
 *   value that does not match its hash (or has none) was written behind tenantscope's
 *   back (`wrangler kv key put`, a script): it is flagged "changed outside tenantscope".
 *
 * KV has no compare-and-swap: two clients saving the same key at the same moment may
 * record the same old value; the last write wins, and its entry is the last in the log.
 */
import { isRecord } from "./result.ts";

/** `alert` and `webhook` are alert-rule and webhook records (core/alerts.ts); a webhook's secret never reaches an entry. */
export type AuditAction = "plan" | "assignment" | "alert" | "webhook";

/** Where the old value came from: a KV record, or, without one, the built-in plan or the default assignment. */
export type OldSource = "kv" | "builtin" | "default" | "none";

export interface AuditEntry {
  /** The entry's KV key. */
  id: string;
  /** ISO time of the change. */
  at: string;
  actor: string;
  /** Through what: "dashboard", "cli", or what an automation names itself. */
  via: string;
  action: AuditAction;
  /** The record changed (`plan:<name>` or `tenant:<name>`). */
  key: string;
  /** The value replaced; without a record, the value that applied (see oldSource). */
  old: string | null;
  oldSource: OldSource;
  /** The value written; null when the record was deleted. */
  new: string | null;
  /** The value replaced had been changed outside tenantscope. */
  outside: boolean;
}

/** The few KV operations the log needs, over a binding or the REST API. */
export interface AuditKv {
  getWithMetadata(key: string): Promise<{ value: string | null; metadata: unknown }>;
  get(key: string): Promise<string | null>;
  put(key: string, value: string, metadata: Record<string, string>): Promise<void>;
  delete(key: string): Promise<void>;
  /** The first page of keys under a prefix, in key order, with their metadata. */
  list(prefix: string, limit: number): Promise<{ name: string; metadata: unknown }[]>;
}

/** The part of a Workers KV binding (`KVNamespace`) the log uses, so core needs no Workers types. */
export interface KvBinding {
  getWithMetadata(key: string): Promise<{ value: string | null; metadata: unknown }>;
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options: { metadata: Record<string, string> }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; limit: number }): Promise<{ keys: { name: string; metadata?: unknown }[] }>;
}

/** The log over a KV binding (the dashboard's and the evaluator's PLANS). */
export function bindingKv(kv: KvBinding): AuditKv {
  return {
    async getWithMetadata(key) {
      const { value, metadata } = await kv.getWithMetadata(key);
      return { value, metadata };
    },
    get: (key) => kv.get(key),
    put: (key, value, metadata) => kv.put(key, value, { metadata }),
    delete: (key) => kv.delete(key),
    async list(prefix, limit) {
      const page = await kv.list({ prefix, limit });
      return page.keys.map((k) => ({ name: k.name, metadata: k.metadata }));
    },
  };
}

export interface AuditChange {
  actor: string;
  via: string;
  action: AuditAction;
  key: string;
  /**
   * The new value; null deletes the record. A function computes it from the record just
   * read (one read serves both the change and its entry); what it throws stops the change
   * before anything is written.
   */
  value: string | null | ((current: string | null) => string | null);
  /** What applied without a record (the built-in plan's or the default assignment's value), and its kind. */
  fallback: { value: string; source: "builtin" | "default" } | null;
  /** How old and new values appear in the entry (a webhook's secret is replaced); as written when absent. */
  shown?: (value: string) => string;
}

export const AUDIT_PREFIX = "audit:";
/** Past any real time (year 2286), so inverted times keep 13 digits. */
const MAX_MS = 9_999_999_999_999;
const METADATA_BYTES = 1024;
const CUT = 160;
const MAX_ACTOR = 200;

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when a record exists and was not written by tenantscope (its metadata's hash does not match). */
export async function changedOutside(value: string | null, metadata: unknown): Promise<boolean> {
  if (value === null) return false;
  if (!isRecord(metadata) || typeof metadata.sha256 !== "string") return true;
  return metadata.sha256 !== (await sha256Hex(value));
}

function entryKey(atMs: number): string {
  const random = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${AUDIT_PREFIX}${String(MAX_MS - atMs).padStart(13, "0")}:${random}`;
}

/** The entry as metadata: whole if it fits, else with old and new cut short and `cut` set. */
function metadataOf(entry: AuditEntry): Record<string, string> {
  const whole = { entry: JSON.stringify(entry) };
  if (new TextEncoder().encode(JSON.stringify(whole)).length <= METADATA_BYTES) return whole;
  const cut = (v: string | null): string | null => (v === null ? null : v.slice(0, CUT));
  return { entry: JSON.stringify({ ...entry, old: cut(entry.old), new: cut(entry.new), actor: entry.actor.slice(0, CUT) }), cut: "1" };
}

/**
 * Reads the record, writes the entry, then the record (with its hash). If the record's
 * write fails, the entry is taken back, so the log never shows a change that did not happen.
 */
export async function applyChange(kv: AuditKv, change: AuditChange, nowMs: number = Date.now()): Promise<AuditEntry> {
  const current = await kv.getWithMetadata(change.key);
  const value = typeof change.value === "function" ? change.value(current.value) : change.value;
  const outside = await changedOutside(current.value, current.metadata);
  const id = entryKey(nowMs);
  const show = (v: string | null): string | null => (v === null || change.shown === undefined ? v : change.shown(v));
  const entry: AuditEntry = {
    id,
    at: new Date(nowMs).toISOString(),
    actor: change.actor.slice(0, MAX_ACTOR),
    via: change.via.slice(0, 40),
    action: change.action,
    key: change.key,
    old: show(current.value ?? change.fallback?.value ?? null),
    oldSource: current.value !== null ? "kv" : (change.fallback?.source ?? "none"),
    new: show(value),
    outside,
  };
  await kv.put(id, JSON.stringify(entry), metadataOf(entry));
  try {
    if (value === null) await kv.delete(change.key);
    else await kv.put(change.key, value, { audit: id, sha256: await sha256Hex(value) });
  } catch (error) {
    await kv.delete(id).catch(() => undefined);
    throw error;
  }
  return entry;
}

export function parseEntry(text: string): AuditEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.at !== "string" || typeof value.key !== "string") return null;
  if (value.action !== "plan" && value.action !== "assignment" && value.action !== "alert" && value.action !== "webhook") return null;
  const text_ = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const source = value.oldSource;
  return {
    id: value.id,
    at: value.at,
    actor: text_(value.actor) ?? "?",
    via: text_(value.via) ?? "?",
    action: value.action,
    key: value.key,
    old: text_(value.old),
    oldSource: source === "kv" || source === "builtin" || source === "default" ? source : "none",
    new: text_(value.new),
    outside: value.outside === true,
  };
}

/** How many of the newest entries one read of the log covers (one KV listing page). */
export const AUDIT_SCAN = 1000;

/** Newest first. `keep` filters (a scoped operator's tenant); the scan reads at most `scan` entries. */
export async function readLog(kv: AuditKv, limit: number, keep: (e: AuditEntry) => boolean = () => true, scan = AUDIT_SCAN): Promise<AuditEntry[]> {
  const keys = await kv.list(AUDIT_PREFIX, scan);
  const entries: AuditEntry[] = [];
  for (const k of keys) {
    if (entries.length >= limit) break;
    const meta = isRecord(k.metadata) ? k.metadata : {};
    const fromMeta = typeof meta.entry === "string" && meta.cut !== "1" ? parseEntry(meta.entry) : null;
    const entry = fromMeta ?? parseEntry((await kv.get(k.name)) ?? "");
    if (entry !== null && keep(entry)) entries.push(entry);
  }
  return entries;
}

const prefixOf = (key: string): string => key.slice(0, key.indexOf(":") + 1);

/**
 * Records deleted behind tenantscope's back (a direct KV delete leaves no value to hash):
 * keys whose latest entry among `entries` (the log newest first, as readLog answers it,
 * so a caller that shows the log reads it once) wrote a value, but that no longer exist.
 * One listing per key prefix involved; a get only for keys a full listing page could not
 * vouch for.
 */
export async function deletedOutside(kv: AuditKv, entries: readonly AuditEntry[]): Promise<AuditEntry[]> {
  const latest = new Map<string, AuditEntry>();
  for (const e of entries) if (!latest.has(e.key)) latest.set(e.key, e);
  const written = [...latest.values()].filter((e) => e.new !== null);
  const prefixes = [...new Set(written.map((e) => prefixOf(e.key)))];
  const listed = new Set<string>();
  const complete = new Set<string>();
  for (const prefix of prefixes) {
    const keys = await kv.list(prefix, 1000);
    for (const k of keys) listed.add(k.name);
    if (keys.length < 1000) complete.add(prefix);
  }
  const gone: AuditEntry[] = [];
  for (const e of written) {
    if (listed.has(e.key)) continue;
    if (complete.has(prefixOf(e.key)) || (await kv.get(e.key)) === null) gone.push(e);
  }
  return gone;
}
