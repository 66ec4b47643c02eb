/**
 * The pieces every query is built from. Column names come from the schema module
 * (`col`, INDEX_COLUMN, the `sampled*` helpers); literals, the WHERE clause and the
 * error condition come from core/src/sql.ts, shared with the CLI's usage export.
 */
import { DATASET, INDEX_COLUMN, VIOLATIONS, col } from "@tenantscope/core/schema";
import { dateTime, errorCondition, lit, numLit, whereOf, type Scope } from "@tenantscope/core/sql";
import { BUCKETS, type BucketKey } from "../params.ts";

export { DATASET, INDEX_COLUMN, col, dateTime, errorCondition, lit, numLit, whereOf, type Scope };

/** The key a bucket start has in query results: 'YYYY-MM-DD hh:mm:ss', UTC. */
export function bucketKeyOf(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * A bucket start as returned, in the form of bucketKeyOf. ClickHouse may type day
 * buckets as Date ('YYYY-MM-DD'), and some clients render a 'T'; both map to the same key.
 */
export function normalizeBucketKey(value: string): string {
  if (/^\d{4}-\d\d-\d\d$/.test(value)) return `${value} 00:00:00`;
  if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/.test(value)) return `${value.slice(0, 10)} ${value.slice(11, 19)}`;
  return value;
}

export function bucketExpr(bucket: BucketKey): string {
  return `toStartOfInterval(timestamp, ${BUCKETS[bucket].interval})`;
}

/** Every bucket start in [from, to): the chart's x axis, with empty buckets kept. */
export function bucketStarts(from: number, to: number, bucket: BucketKey): number[] {
  const step = BUCKETS[bucket].ms;
  const out: number[] = [];
  for (let t = Math.floor(from / step) * step; t < to; t += step) out.push(t);
  return out;
}

/** A violation that counts (not `none`, not the `(mixed)` of an overflow fold). */
export function violationCondition(): string {
  return `${col("violation")} IN (${VIOLATIONS.filter((v) => v !== "none").map(lit).join(", ")})`;
}
