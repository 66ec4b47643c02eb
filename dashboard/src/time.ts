/**
 * The time window of a page: a preset ending now (`range=1h`), or absolute UTC times
 * (`from=…&to=…`, what a zoom or a shared link gives), and the bucket of its time
 * charts, chosen from the span unless the reader picks one. Every value is checked
 * here and turned into numbers; SQL only ever sees `BUCKETS[k].interval`, written below.
 */
import { badRequest } from "./errors.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes; each maps to one `INTERVAL 'n' UNIT` written here, never from input. */
export const BUCKETS = {
  "1m": { ms: MINUTE, interval: "INTERVAL '1' MINUTE" },
  "5m": { ms: 5 * MINUTE, interval: "INTERVAL '5' MINUTE" },
  "15m": { ms: 15 * MINUTE, interval: "INTERVAL '15' MINUTE" },
  "30m": { ms: 30 * MINUTE, interval: "INTERVAL '30' MINUTE" },
  "1h": { ms: HOUR, interval: "INTERVAL '1' HOUR" },
  "3h": { ms: 3 * HOUR, interval: "INTERVAL '3' HOUR" },
  "6h": { ms: 6 * HOUR, interval: "INTERVAL '6' HOUR" },
  "12h": { ms: 12 * HOUR, interval: "INTERVAL '12' HOUR" },
  "1d": { ms: DAY, interval: "INTERVAL '1' DAY" },
} as const;
export type BucketKey = keyof typeof BUCKETS;
const BUCKET_KEYS = Object.keys(BUCKETS) as BucketKey[];

/** The presets, each ending now. */
export const PRESETS = {
  "15m": 15 * MINUTE,
  "1h": HOUR,
  "3h": 3 * HOUR,
  "12h": 12 * HOUR,
  "24h": DAY,
  "7d": 7 * DAY,
  "30d": 30 * DAY,
} as const;
export type PresetKey = keyof typeof PRESETS;
const PRESET_KEYS = Object.keys(PRESETS) as PresetKey[];
/** A preset, or `custom` for absolute from/to. */
export type RangeKey = PresetKey | "custom";

/** The automatic bucket is the smallest that keeps a chart at most this many bars. */
export const AUTO_MAX_BUCKETS = 200;
/** A picked bucket may give up to this many (a wider screen, a closer look). */
export const PICK_MAX_BUCKETS = 750;
/** Analytics Engine keeps data three months: a longer span cannot show more. */
export const MAX_SPAN_MS = 93 * DAY;
export const MIN_SPAN_MS = MINUTE;
/** A `to` a little past the server's clock is a skewed browser clock, not a request for the future. */
const FUTURE_SLACK_MS = 5 * MINUTE;

export interface TimeWindow {
  range: RangeKey;
  /** Inclusive start and exclusive end, ms since the epoch, whole seconds (AE's resolution). */
  from: number;
  to: number;
  bucket: BucketKey;
  /** True when the bucket was chosen from the span, not picked. */
  bucketAuto: boolean;
  /** The buckets a reader may pick for this span. */
  buckets: BucketKey[];
}

export interface TimeQuery {
  range?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  bucket?: string | undefined;
}

/** UTC, to the minute or second; `T` or a space; a trailing `Z` is optional (times are always UTC). */
const UTC_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?Z?$/;

export function parseUtcTime(name: string, value: string): number {
  const m = UTC_TIME.exec(value);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? "0"));
  // Round trip: Date.UTC would turn 02-31 or 25:00 into another valid time.
  const back = Number.isNaN(ms) ? "" : new Date(ms).toISOString();
  if (m === null || back.slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}` || back.slice(11, 16) !== `${m[4]}:${m[5]}` || Number(m[6] ?? "0") > 59) {
    throw badRequest(`${name} must be a UTC time YYYY-MM-DDThh:mm[:ss][Z], e.g. 2026-12-01T09:30:00Z.`);
  }
  return ms;
}

/** The buckets that give between 1 and PICK_MAX_BUCKETS bars over `spanMs`. */
export function bucketsFor(spanMs: number): BucketKey[] {
  return BUCKET_KEYS.filter((k) => BUCKETS[k].ms <= spanMs && spanMs / BUCKETS[k].ms <= PICK_MAX_BUCKETS);
}

/** The smallest bucket that keeps the chart at most AUTO_MAX_BUCKETS bars. */
export function autoBucket(spanMs: number): BucketKey {
  return BUCKET_KEYS.find((k) => Math.ceil(spanMs / BUCKETS[k].ms) <= AUTO_MAX_BUCKETS) ?? "1d";
}

function given(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

export function parseWindow(q: TimeQuery, nowMs: number, fallback: PresetKey = "24h"): TimeWindow {
  let range: RangeKey;
  let from: number;
  let to: number;
  if (given(q.from) || given(q.to)) {
    if (given(q.range)) throw badRequest("Give either range, or from and to, not both.");
    if (!given(q.from) || !given(q.to)) throw badRequest("from and to go together (UTC times, e.g. from=2026-12-01T09:00Z&to=2026-12-01T10:00Z).");
    from = parseUtcTime("from", q.from);
    to = parseUtcTime("to", q.to);
    if (to - from < MIN_SPAN_MS) throw badRequest("to must be at least a minute after from.");
    if (to - from > MAX_SPAN_MS) throw badRequest("A window is at most 93 days (Analytics Engine keeps three months).");
    if (to > nowMs + FUTURE_SLACK_MS) throw badRequest("to must not be in the future.");
    range = "custom";
  } else {
    if (given(q.range) && !(PRESET_KEYS as string[]).includes(q.range)) throw badRequest(`range must be one of ${PRESET_KEYS.join(", ")}.`);
    const preset = (given(q.range) ? q.range : fallback) as PresetKey;
    // The current second is included: AE timestamps have second resolution.
    to = Math.floor(nowMs / SECOND) * SECOND + SECOND;
    from = to - PRESETS[preset];
    range = preset;
  }
  const span = to - from;
  const buckets = bucketsFor(span);
  if (!given(q.bucket)) return { range, from, to, bucket: autoBucket(span), bucketAuto: true, buckets };
  if (!(buckets as string[]).includes(q.bucket)) {
    throw badRequest(`bucket for this window must be one of ${buckets.join(", ")} (or leave it out to choose from the span).`);
  }
  return { range, from, to, bucket: q.bucket as BucketKey, bucketAuto: false, buckets };
}

/** `YYYY-MM-DDThh:mm:ssZ`: what links and the JSON carry, and what `from`/`to` accept back. */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / SECOND) * SECOND).toISOString().slice(0, 19)}Z`;
}
