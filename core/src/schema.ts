/**
 * The Analytics Engine layout of dataset `tenant_invocations`: the only code
 * that knows which blob, double and index holds what. The tail writes through
 * `toDataPoint`; the dashboard builds SQL through `col` and the `sampled*`
 * helpers. Documented column by column in tail-worker/SCHEMA.md.
 */

import { cutExcerpt } from "./log-excerpt.ts";
import { truncateUtf8, utf8Length } from "./utf8.ts";

export { truncateUtf8, utf8Length };

export const DATASET = "tenant_invocations";

/** AE's per-point limits (developers.cloudflare.com/analytics/analytics-engine/limits). */
export const AE_LIMITS = {
  blobs: 20,
  doubles: 20,
  indexBytes: 96,
  blobBytesTotal: 16 * 1024,
  /** 250 since April 2026 (it was 25). */
  writesPerInvocation: 250,
} as const;

/** A column position AE accepts: blob1..blob20, double1..double20. */
type AePosition = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20;

/** 1-based positions, as AE names them (`blob1`, `double1`). Append only: never renumber. */
export const BLOBS = {
  tenant: 1,
  namespace: 2,
  plan: 3,
  outcome: 4,
  eventType: 5,
  method: 6,
  violation: 7,
  exceptionName: 8,
  exceptionMessage: 9,
  scriptVersion: 10,
  entrypoint: 11,
  eventDetail: 12,
  planSource: 13,
  pointKind: 14,
  errorCode: 15,
  errorGroup: 16,
  messageKey: 17,
  logExcerpt: 18,
  /** Appended: the customer id from the script's `customer:` tag (core/src/customers.ts), "" when none. */
  customer: 19,
} as const satisfies Record<string, AePosition>;

export const DOUBLES = {
  invocations: 1,
  cpuMs: 2,
  wallMs: 3,
  status: 4,
  cpuLimitMs: 5,
  subrequestLimit: 6,
  logCount: 7,
  exceptionCount: 8,
  truncated: 9,
  clientStatus: 10,
  dispatcherAnswers: 11,
} as const satisfies Record<string, AePosition>;

export type BlobName = keyof typeof BLOBS;
export type DoubleName = keyof typeof DOUBLES;
export type ColumnName = BlobName | DoubleName;

export const EVENT_TYPES = ["fetch", "scheduled", "queue", "alarm", "email", "rpc", "tail", "custom", "other", "unknown"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const VIOLATIONS = ["cpu", "memory", "subrequests", "none"] as const;
export type Violation = (typeof VIOLATIONS)[number];

/** The tenant of a point that folds several tenants' overflow (SCHEMA.md). Not a DNS label, so it cannot collide with a tenant. */
export const OVERFLOW_TENANT = "~overflow";

/** A label of a folded point whose invocations disagreed on it (SCHEMA.md): neither ok nor an error. */
export const MIXED = "(mixed)";

/** "header": the dispatcher's headers in the trace; otherwise the resolver's source. */
export type PlanSource = "header" | "kv" | "builtin" | "fallback" | "none";

/**
 * "single": one trace. "folded": k overflowed traces of one batch (see SCHEMA.md).
 * "dispatcher": requests the dispatcher answered itself (no tenant ran): `invocations`
 * is 0 and `dispatcherAnswers` counts them, so no invocation count or bill includes them.
 */
export type PointKind = "single" | "folded" | "dispatcher";

/** The tenant of a dispatcher answer whose requested name is not a tenant name. Not a DNS label. */
export const INVALID_TENANT = "~invalid";
/** The tenant of a dispatcher answer given before any tenant was determined. Not a DNS label. */
export const UNROUTED_TENANT = "~unrouted";

/**
 * One data point, by name. Blob fields are strings ("" when unknown); doubles
 * other than `invocations` are per-invocation values (means on a folded point),
 * so every total is `SUM(_sample_interval * invocations * doubleN)`.
 */
export type InvocationRow = { [K in BlobName]: string } & { [K in DoubleName]: number };

const BLOB_ENTRIES = Object.entries(BLOBS) as [BlobName, number][];
const DOUBLE_ENTRIES = Object.entries(DOUBLES) as [DoubleName, number][];

/** The SQL column of a named field: `col("cpuMs")` → "double2". */
export function col(name: ColumnName): string {
  if (name in BLOBS) return `blob${BLOBS[name as BlobName]}`;
  return `double${DOUBLES[name as DoubleName]}`;
}

/** The tenant is the index, so AE samples each tenant on its own. */
export const INDEX_COLUMN = "index1";

/** Invocations, corrected for sampling and for folded points. */
export function sampledCount(): string {
  return `SUM(_sample_interval * ${col("invocations")})`;
}

/** Count of the points' invocations where `condition` (SQL) holds. */
export function sampledCountIf(condition: string): string {
  return `sumIf(_sample_interval * ${col("invocations")}, ${condition})`;
}

/**
 * Requests a client sent: tenant invocations plus the dispatcher's own answers (one of
 * the two is 0 on every point). For error groups and status breakdowns, never for usage.
 */
export function sampledRequests(): string {
  return `SUM(_sample_interval * (${col("invocations")} + ${col("dispatcherAnswers")}))`;
}

/** Total of a per-invocation double (cpu, wall, logs, exceptions). */
export function sampledSum(name: DoubleName): string {
  return `SUM(_sample_interval * ${col("invocations")} * ${col(name)})`;
}

/** Weighted mean of a per-invocation double. */
export function sampledAvg(name: DoubleName): string {
  return `(${sampledSum(name)} / ${sampledCount()})`;
}

/**
 * Weighted quantile; the weight must be an unsigned integer in ClickHouse.
 * On folded points the value is the group's mean, so quantiles are approximate there.
 */
export function sampledQuantile(q: number, name: DoubleName): string {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within [0, 1]`);
  return `quantileExactWeighted(${q})(${col(name)}, toUInt32(_sample_interval * ${col("invocations")}))`;
}

/**
 * Per-column byte caps. The exception message and the log excerpt share what is left
 * of the 16 KB: both whole when they fit; else the message keeps at least
 * MESSAGE_MIN_BYTES and the excerpt loses its oldest lines (log-excerpt.ts).
 */
const BLOB_CAPS: Partial<Record<BlobName, number>> = {
  tenant: 96,
  namespace: 256,
  plan: 64,
  outcome: 64,
  eventType: 16,
  method: 32,
  violation: 16,
  exceptionName: 256,
  scriptVersion: 128,
  entrypoint: 128,
  eventDetail: 256,
  planSource: 16,
  pointKind: 16,
  errorCode: 32,
  errorGroup: 16,
  messageKey: 512,
  customer: 64,
};

export const MESSAGE_MIN_BYTES = 4096;
const SHARED_BLOBS: ReadonlySet<BlobName> = new Set(["exceptionMessage", "logExcerpt"]);

export interface DataPoint {
  blobs: string[];
  doubles: number[];
  indexes: string[];
}

/** Builds the AE point for a row, within every per-point limit. */
export function toDataPoint(row: InvocationRow): DataPoint {
  const blobs: string[] = [];
  let used = 0;
  for (const [name, pos] of BLOB_ENTRIES) {
    if (SHARED_BLOBS.has(name)) continue;
    const value = truncateUtf8(row[name], BLOB_CAPS[name] ?? 256);
    blobs[pos - 1] = value;
    used += utf8Length(value);
  }
  const rest = AE_LIMITS.blobBytesTotal - used;
  const messageBytes = utf8Length(row.exceptionMessage);
  const excerptBytes = utf8Length(row.logExcerpt);
  const messageCap = messageBytes + excerptBytes <= rest ? rest : Math.min(messageBytes, Math.max(MESSAGE_MIN_BYTES, rest - excerptBytes));
  const message = truncateUtf8(row.exceptionMessage, messageCap);
  blobs[BLOBS.exceptionMessage - 1] = message;
  blobs[BLOBS.logExcerpt - 1] = cutExcerpt(row.logExcerpt, rest - utf8Length(message));
  const doubles: number[] = [];
  for (const [name, pos] of DOUBLE_ENTRIES) {
    const v = row[name];
    // AE stores float64; NaN and infinities would poison every SUM.
    doubles[pos - 1] = Number.isFinite(v) ? v : 0;
  }
  return {
    blobs: Array.from(blobs, (b) => b ?? ""),
    doubles: Array.from(doubles, (d) => d ?? 0),
    indexes: [truncateUtf8(row.tenant, AE_LIMITS.indexBytes)],
  };
}

/** An all-empty row, for builders and tests. */
export function emptyRow(): InvocationRow {
  const row: Record<string, string | number> = {};
  for (const [name] of BLOB_ENTRIES) row[name] = "";
  for (const [name] of DOUBLE_ENTRIES) row[name] = 0;
  return row as InvocationRow;
}
