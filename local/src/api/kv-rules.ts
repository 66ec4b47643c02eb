/**
 * Workers KV's limits and the checks the REST API makes before a write, with the
 * KV service's own messages (the Miniflare binding relays the same texts). Each
 * check runs before anything is stored, so a refused request changes nothing.
 */
import { ApiError, codes } from "./envelope.ts";

export const limits = {
  keyBytes: 512,
  /** 25 MiB per value. */
  valueBytes: 25 * 1024 * 1024,
  metadataBytes: 1024,
  minTtlSeconds: 60,
  /** The binding takes expirations as signed 32-bit seconds. */
  maxExpiration: 2 ** 31 - 1,
  listMin: 10,
  listMax: 1000,
  bulkEntries: 10_000,
  /** "The entire request size must be 100 megabytes or less." */
  bulkBytes: 100 * 1000 * 1000,
  bulkGetKeys: 100,
} as const;

const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function badRequest(message: string): ApiError {
  return new ApiError(400, codes.badRequest, message);
}

export function tooLarge(bytes: number): ApiError {
  return new ApiError(413, codes.kvValueTooLarge, `Value length of ${bytes} exceeds limit of ${limits.valueBytes}.`);
}

/** A key as the KV service accepts it: not empty, not `.` or `..`, at most 512 bytes. */
export function validKey(key: string): string {
  if (key === "") throw badRequest("Key names must not be empty");
  if (key === "." || key === "..") throw badRequest(`Illegal key name "${key}". Please use a different name.`);
  const bytes = byteLength(key);
  if (bytes > limits.keyBytes) {
    throw new ApiError(414, codes.badRequest, `UTF-8 encoded length of ${bytes} exceeds key length limit of ${limits.keyBytes}.`);
  }
  return key;
}

export type Expiry = { expirationTtl: number } | { expiration: number } | Record<string, never>;

/**
 * `expiration_ttl` wins over `expiration` when both are given (Cloudflare's docs).
 * Numbers are read as the KV service reads them (parseInt), so "3600" and 3600 agree.
 */
export function expiryOf(ttlRaw: string | number | undefined, expirationRaw: string | number | undefined,
  nowSeconds = Math.floor(Date.now() / 1000)): Expiry {
  if (ttlRaw !== undefined) {
    const ttl = Number.parseInt(String(ttlRaw), 10);
    if (Number.isNaN(ttl) || ttl <= 0) {
      throw badRequest(`Invalid expiration_ttl of ${ttlRaw}. Please specify integer greater than 0.`);
    }
    if (ttl < limits.minTtlSeconds) {
      throw badRequest(`Invalid expiration_ttl of ${ttlRaw}. Expiration TTL must be at least ${limits.minTtlSeconds}.`);
    }
    if (nowSeconds + ttl > limits.maxExpiration) {
      throw badRequest(`Invalid expiration_ttl of ${ttlRaw}. The expiry must fall before ${limits.maxExpiration} seconds since the UNIX epoch.`);
    }
    return { expirationTtl: ttl };
  }
  if (expirationRaw !== undefined) {
    const expiration = Number.parseInt(String(expirationRaw), 10);
    if (Number.isNaN(expiration) || expiration <= nowSeconds || expiration > limits.maxExpiration) {
      throw badRequest(`Invalid expiration of ${expirationRaw}. Please specify integer greater than the current number of seconds since the UNIX epoch.`);
    }
    if (expiration < nowSeconds + limits.minTtlSeconds) {
      throw badRequest(`Invalid expiration of ${expirationRaw}. Expiration times must be at least ${limits.minTtlSeconds} seconds in the future.`);
    }
    return { expiration };
  }
  return {};
}

/** Metadata is any JSON value whose serialised form fits in 1024 bytes. */
export function validMetadata(value: unknown): unknown {
  const text = JSON.stringify(value);
  // JSON.stringify(undefined) is undefined: only reachable from code, never from a parsed body.
  const bytes = text === undefined ? 0 : byteLength(text);
  if (bytes > limits.metadataBytes) {
    throw new ApiError(413, codes.kvValueTooLarge, `Metadata length of ${bytes} exceeds limit of ${limits.metadataBytes}.`);
  }
  return value;
}

export function parseMetadata(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("metadata must be valid JSON");
  }
  return validMetadata(value);
}

export function listLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return limits.listMax;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < limits.listMin || limit > limits.listMax) {
    throw badRequest(`Invalid key_count_limit of ${raw}. Please specify an integer from ${limits.listMin} to ${limits.listMax}.`);
  }
  return limit;
}

/** A JSON body, or a 400 that says why not. */
export function parseJsonBody(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest(`${what}: the body is not valid JSON`);
  }
}

/** Refuses a body over `max` bytes from its declared length, before reading it. */
export function declaredWithin(header: string | undefined, max: number, error: (bytes: number) => ApiError): void {
  const declared = Number(header ?? "0");
  if (Number.isFinite(declared) && declared > max) throw error(declared);
}
