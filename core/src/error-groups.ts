/**
 * How errors are grouped: by (error code, outcome, exception name, message with its volatile
 * parts replaced, script version). The Tail Worker computes the message key and the
 * group id once, at write time, and stores both (SCHEMA.md `messageKey`, `errorGroup`):
 * AE's SQL has no regular-expression replace, and a stored key makes every grouping
 * query a plain GROUP BY on one short column.
 */

/** A quoted value: "…", '…' (not an apostrophe inside a word) or `…`. */
const QUOTED = /"(?:[^"\\\n]|\\.)*"|(?<![\p{L}\p{N}])'(?:[^'\\\n]|\\.)*'(?![\p{L}\p{N}])|`(?:[^`\\\n]|\\.)*`/gu;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX_PREFIXED = /\b0x[0-9a-f]+\b/gi;
/** A run of 8+ hex digits holding at least one digit (so "deadline" or "facade" stay words). */
const HEX_RUN = /\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi;
/** An id: 8+ letters, digits, `_` or `-` mixing letters and digits (`usr_8f3k2j9x`, `ord-2024-77`). */
const MIXED_ID = /(?<![\p{L}\p{N}_-])(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{8,}(?![\p{L}\p{N}_-])/giu;
const NUMBER = /(?<![\p{L}_])-?\d+(?:[.,]\d+)*(?![\p{L}_])/gu;

/** At most this many bytes of key (it is a blob of its own). */
export const MESSAGE_KEY_MAX_CHARS = 300;

/**
 * The message with numbers, ids, hex, UUIDs and quoted values replaced by
 * placeholders (`<n>`, `<id>`, `<hex>`, `<uuid>`, `"<str>"`), whitespace collapsed,
 * cut to MESSAGE_KEY_MAX_CHARS. Two messages that differ only in those parts share a key.
 */
export function normaliseMessage(message: string): string {
  const key = message
    .slice(0, 4 * MESSAGE_KEY_MAX_CHARS)
    .replace(QUOTED, (q) => `${q[0]}<str>${q[0]}`)
    .replace(UUID, "<uuid>")
    .replace(HEX_PREFIXED, "<hex>")
    .replace(HEX_RUN, "<hex>")
    .replace(MIXED_ID, "<id>")
    .replace(NUMBER, "<n>")
    .replace(/\s+/g, " ")
    .trim();
  return key.length > MESSAGE_KEY_MAX_CHARS ? `${key.slice(0, MESSAGE_KEY_MAX_CHARS)}…` : key;
}

/** 32-bit FNV-1a over UTF-16 units, seeded, so two seeds give 64 bits of id. */
function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface GroupKey {
  code: string;
  /** The trace's outcome ("" on dispatcher answers): exceededMemory and exception differ even without a name. */
  outcome: string;
  name: string;
  messageKey: string;
  version: string;
}

/** 16 lower-case hex digits: safe in a SQL literal and a URL, unique enough for display. */
export function errorGroupId(key: GroupKey): string {
  const text = JSON.stringify([key.code, key.outcome, key.name, key.messageKey, key.version]);
  const hex = (n: number): string => n.toString(16).padStart(8, "0");
  return `${hex(fnv1a(text, 0x811c9dc5))}${hex(fnv1a(text, 0x01234567))}`;
}

export const ERROR_GROUP_RE = /^[0-9a-f]{16}$/;
