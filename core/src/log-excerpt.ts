/**
 * The log excerpt a non-ok invocation keeps in AE (SCHEMA.md `logExcerpt`): one
 * line per `logs[]` entry, `<level> <text>`, newest last. When it does not fit, the
 * oldest lines go first (the last ones before the error matter most) and a first
 * line `[cut] N earlier lines not kept` says so; a line longer than LINE_MAX_CHARS
 * ends in "…".
 */
import { truncateUtf8, utf8Length } from "./utf8.ts";

export const EXCERPT_CUT_PREFIX = "[cut] ";
export const LINE_MAX_CHARS = 1000;
const CUT_LINE = /^\[cut\] (\d+) earlier lines? not kept$/;

function cutLine(n: number): string {
  return `${EXCERPT_CUT_PREFIX}${n} earlier line${n === 1 ? "" : "s"} not kept`;
}

/** A console argument as text: strings as they are, the rest as JSON (or String when JSON fails). */
export function argText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One `logs[]` entry ({level, message}) as an excerpt line; null for a value that is not one. */
export function logLine(entry: unknown): string | null {
  if (typeof entry !== "object" || entry === null) return null;
  const level = "level" in entry && typeof entry.level === "string" ? entry.level.slice(0, 16) : "log";
  const message = "message" in entry ? entry.message : undefined;
  const text = (Array.isArray(message) ? message.map(argText).join(" ") : argText(message)).replace(/\r?\n/g, " ⏎ ");
  const line = `${level} ${text}`;
  return line.length > LINE_MAX_CHARS ? `${line.slice(0, LINE_MAX_CHARS)}…` : line;
}

/** The excerpt of a trace's `logs[]`, bounded to `maxBytes` (the caller cuts again to its budget). */
export function buildExcerpt(logs: readonly unknown[], maxBytes: number): string {
  const lines: string[] = [];
  for (const entry of logs) {
    const line = logLine(entry);
    if (line !== null) lines.push(line);
  }
  return cutExcerpt(lines.join("\n"), maxBytes);
}

/** The excerpt within `maxBytes` of UTF-8, dropping its oldest lines and counting them in the cut line. */
export function cutExcerpt(excerpt: string, maxBytes: number): string {
  if (utf8Length(excerpt) <= maxBytes) return excerpt;
  const lines = excerpt.split("\n");
  let dropped = 0;
  const previous = CUT_LINE.exec(lines[0] ?? "");
  if (previous !== null) {
    dropped = Number(previous[1]);
    lines.shift();
  }
  // Keep lines from the newest back while they and the cut line fit.
  const kept: string[] = [];
  let used = utf8Length(cutLine(dropped + lines.length)) + 1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    const cost = utf8Length(line) + 1;
    if (used + cost > maxBytes) break;
    kept.unshift(line);
    used += cost;
  }
  dropped += lines.length - kept.length;
  const marker = cutLine(dropped);
  if (kept.length === 0) {
    // Not even the newest line fits whole: keep its start after the marker, ending in "…" (3 bytes).
    const marker1 = cutLine(dropped - 1);
    const room = maxBytes - utf8Length(marker1) - 1 - 3;
    if (room <= 0) return truncateUtf8(marker, maxBytes);
    return `${marker1}\n${truncateUtf8(lines.at(-1) ?? "", room)}…`;
  }
  return [marker, ...kept].join("\n");
}

export interface ExcerptLine {
  level: string;
  text: string;
}

/** An excerpt as the dashboard shows it: its lines, and how many earlier lines were cut. */
export function parseExcerpt(excerpt: string): { lines: ExcerptLine[]; cut: number } {
  if (excerpt === "") return { lines: [], cut: 0 };
  const lines = excerpt.split("\n");
  const marker = CUT_LINE.exec(lines[0] ?? "");
  if (marker !== null) lines.shift();
  return {
    cut: marker === null ? 0 : Number(marker[1]),
    lines: lines.map((line) => {
      const space = line.indexOf(" ");
      return space === -1 ? { level: line, text: "" } : { level: line.slice(0, space), text: line.slice(space + 1) };
    }),
  };
}
