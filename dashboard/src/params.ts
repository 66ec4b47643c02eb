/**
 * Every query parameter a reader can send, validated against an allow-list or a
 * strict pattern before it can reach SQL. A bad value is a 400 that says what is
 * allowed; nothing is silently replaced by a default.
 */
import { isTenantName } from "@tenantscope/core/names";
import { isPlanName } from "@tenantscope/core/plans";
import { badRequest } from "./errors.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes; each maps to one `INTERVAL 'n' UNIT` written here, never from input. */
export const BUCKETS = {
  "1m": { ms: MINUTE, interval: "INTERVAL '1' MINUTE" },
  "5m": { ms: 5 * MINUTE, interval: "INTERVAL '5' MINUTE" },
  "15m": { ms: 15 * MINUTE, interval: "INTERVAL '15' MINUTE" },
  "1h": { ms: HOUR, interval: "INTERVAL '1' HOUR" },
  "1d": { ms: DAY, interval: "INTERVAL '1' DAY" },
} as const;
export type BucketKey = keyof typeof BUCKETS;

/** Ranges and the buckets allowed in each (at most ~750 points on a chart). */
export const RANGES = {
  "1h": { ms: HOUR, buckets: ["1m", "5m"], defaultBucket: "1m" },
  "24h": { ms: DAY, buckets: ["5m", "15m", "1h"], defaultBucket: "15m" },
  "7d": { ms: 7 * DAY, buckets: ["15m", "1h", "1d"], defaultBucket: "1h" },
  "30d": { ms: 30 * DAY, buckets: ["1h", "1d"], defaultBucket: "1d" },
} as const satisfies Record<string, { ms: number; buckets: readonly BucketKey[]; defaultBucket: BucketKey }>;
export type RangeKey = keyof typeof RANGES;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw badRequest(`${name} must be one of ${allowed.join(", ")}.`);
}

export function parseRange(value: string | undefined, fallback: RangeKey = "24h"): RangeKey {
  return oneOf("range", value, Object.keys(RANGES) as RangeKey[], fallback);
}

export function parseBucket(value: string | undefined, range: RangeKey): BucketKey {
  const spec = RANGES[range];
  return oneOf(`bucket (for range ${range})`, value, spec.buckets, spec.defaultBucket);
}

export function parseDir(value: string | undefined): "asc" | "desc" {
  return oneOf("dir", value, ["asc", "desc"] as const, "desc");
}

export function parseSort<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return oneOf("sort", value, allowed, fallback);
}

/** A positive integer within bounds; only digits are accepted (no signs, exponents or spaces). */
export function parseIntParam(name: string, value: string | undefined, min: number, max: number, fallback?: number): number {
  if (value === undefined || value === "") {
    if (fallback !== undefined) return fallback;
    throw badRequest(`${name} is required.`);
  }
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

export function parseTenant(value: string | undefined): string {
  if (value === undefined || !isTenantName(value)) {
    throw badRequest("tenant must be a tenant name: lower-case letters, digits and dashes, 1-63 characters.");
  }
  return value;
}

export function parsePlanName(value: string | undefined): string {
  if (value === undefined || !isPlanName(value)) throw badRequest("plan must be a plan name: lower-case letters, digits and dashes, 1-63 characters.");
  return value;
}

export interface Period {
  /** Inclusive start, ms since the epoch (UTC midnight). */
  from: number;
  /** Exclusive end. */
  to: number;
  label: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_PERIOD_DAYS = 366;

function utcDay(value: string, name: string): number {
  const m = DAY_RE.exec(value);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Round-trip check: Date.UTC would turn 2026-02-31 into March 3rd.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw badRequest(`${name} must be a date YYYY-MM-DD.`);
  return ms;
}

/**
 * The billing period: `month=YYYY-MM`, or `from=YYYY-MM-DD&to=YYYY-MM-DD` (both days
 * included), or by default the current UTC calendar month.
 */
export function parsePeriod(q: { month?: string | undefined; from?: string | undefined; to?: string | undefined }, nowMs: number): Period {
  if (q.from !== undefined || q.to !== undefined) {
    if (q.month !== undefined) throw badRequest("Give either month, or from and to, not both.");
    if (q.from === undefined || q.to === undefined) throw badRequest("from and to go together (YYYY-MM-DD, both days included).");
    const from = utcDay(q.from, "from");
    const to = utcDay(q.to, "to") + DAY;
    if (to <= from) throw badRequest("to must not be before from.");
    if (to - from > MAX_PERIOD_DAYS * DAY) throw badRequest(`A period is at most ${MAX_PERIOD_DAYS} days.`);
    return { from, to, label: `${q.from}_${q.to}` };
  }
  let year: number;
  let month: number;
  if (q.month !== undefined) {
    const m = MONTH.exec(q.month);
    if (m === null) throw badRequest("month must be YYYY-MM.");
    year = Number(m[1]);
    month = Number(m[2]) - 1;
  } else {
    const now = new Date(nowMs);
    year = now.getUTCFullYear();
    month = now.getUTCMonth();
  }
  const from = Date.UTC(year, month, 1);
  const to = Date.UTC(year, month + 1, 1);
  return { from, to, label: new Date(from).toISOString().slice(0, 7) };
}
