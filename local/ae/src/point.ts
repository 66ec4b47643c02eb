/**
 * Analytics Engine data points: the limits AE enforces on writeDataPoint, checked here
 * so that the stand-in refuses what production refuses, and the stored shape.
 */
export const MAX_BLOBS = 20;
export const MAX_DOUBLES = 20;
export const MAX_INDEXES = 1;
export const MAX_INDEX_BYTES = 96;
export const MAX_BLOB_BYTES = 16 * 1024;

export const BLOB_COLUMNS = Array.from({ length: MAX_BLOBS }, (_, i) => `blob${i + 1}`);
export const DOUBLE_COLUMNS = Array.from({ length: MAX_DOUBLES }, (_, i) => `double${i + 1}`);

/** A point as the binding receives it (AnalyticsEngineDataPoint). */
export interface DataPointInput {
  indexes?: ((ArrayBuffer | string) | null)[];
  doubles?: number[];
  blobs?: ((ArrayBuffer | string) | null)[];
}

/** A point as stored: blobs decoded to text, the time and sample interval explicit. */
export interface StoredPoint {
  timestamp: number;
  sampleInterval: number;
  index1: string;
  blobs: (string | null)[];
  doubles: number[];
}

/** A limit violation; the message names the limit, as AE's errors do. */
export class DataPointError extends Error {
  override readonly name = "DataPointError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function byteLength(v: ArrayBuffer | string): number {
  return typeof v === "string" ? encoder.encode(v).length : v.byteLength;
}

function asText(v: ArrayBuffer | string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : decoder.decode(v);
}

/** Checks AE's per-point limits and returns the stored form (time and interval given). */
export function toStoredPoint(input: DataPointInput, timestamp: number, sampleInterval: number): StoredPoint {
  const blobs = input.blobs ?? [];
  const doubles = input.doubles ?? [];
  const indexes = input.indexes ?? [];
  if (blobs.length > MAX_BLOBS) throw new DataPointError(`writeDataPoint(): Maximum of ${MAX_BLOBS} blobs supported, got ${blobs.length}`);
  if (doubles.length > MAX_DOUBLES) throw new DataPointError(`writeDataPoint(): Maximum of ${MAX_DOUBLES} doubles supported, got ${doubles.length}`);
  if (indexes.length > MAX_INDEXES) throw new DataPointError(`writeDataPoint(): Maximum of ${MAX_INDEXES} index supported, got ${indexes.length}`);
  const index = indexes[0] ?? null;
  if (index !== null && byteLength(index) > MAX_INDEX_BYTES) {
    throw new DataPointError(`writeDataPoint(): index is ${byteLength(index)} bytes; the maximum index size is ${MAX_INDEX_BYTES} bytes`);
  }
  const blobBytes = blobs.reduce((n, b) => n + (b === null ? 0 : byteLength(b)), 0);
  if (blobBytes > MAX_BLOB_BYTES) {
    throw new DataPointError(`writeDataPoint(): blobs total ${blobBytes} bytes; the maximum total blob size is ${MAX_BLOB_BYTES} bytes`);
  }
  for (const d of doubles) {
    if (typeof d !== "number") throw new DataPointError("writeDataPoint(): doubles must be numbers");
  }
  return { timestamp, sampleInterval, index1: asText(index) ?? "", blobs: blobs.map(asText), doubles };
}

/** Parses one line of the local bulk import; throws DataPointError naming what is wrong. */
export function parseImportLine(line: string): StoredPoint {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DataPointError("not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new DataPointError("expected a JSON object");
  const o = value as Record<string, unknown>;
  const timestamp = typeof o.timestamp === "string" ? Date.parse(o.timestamp) : Number.NaN;
  if (Number.isNaN(timestamp)) throw new DataPointError("timestamp must be an ISO date string");
  const interval = o._sample_interval ?? 1;
  if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 1 || interval > 0xffffffff) {
    throw new DataPointError("_sample_interval must be a positive integer (UInt32)");
  }
  const index = o.index1 ?? "";
  if (typeof index !== "string") throw new DataPointError("index1 must be a string");
  const blobs = o.blobs ?? [];
  if (!Array.isArray(blobs) || !blobs.every((b) => b === null || typeof b === "string")) throw new DataPointError("blobs must be an array of strings");
  const doubles = o.doubles ?? [];
  if (!Array.isArray(doubles) || !doubles.every((d) => typeof d === "number")) throw new DataPointError("doubles must be an array of numbers");
  return toStoredPoint({ indexes: [index], blobs: blobs as (string | null)[], doubles: doubles as number[] }, timestamp, interval);
}
