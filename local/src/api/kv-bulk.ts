/**
 * The bulk routes of the plans namespace: write (`PUT /bulk`), delete (wrangler's
 * `DELETE /bulk` and the SDK's `POST /bulk/delete`) and read (`POST /bulk/get`).
 * A request is checked whole before any write, so a refused one changes nothing.
 */
import { Hono, type Context } from "hono";
import { isRecord } from "@tenantscope/core/result";
import { ApiError, codes, success } from "./envelope.ts";
import {
  byteLength, declaredWithin, expiryOf, limits, parseJsonBody, tooLarge, validKey, validMetadata, type Expiry,
} from "./kv-rules.ts";

export const bulk = new Hono<{ Bindings: Env }>();

type Ctx = Context<{ Bindings: Env }>;

/** Writes in flight at once: enough to keep the local KV busy, bounded for 10 000 entries. */
const CONCURRENCY = 32;

function badRequest(message: string): ApiError {
  return new ApiError(400, codes.badRequest, message);
}

function requestTooLarge(bytes: number): ApiError {
  return new ApiError(413, codes.kvValueTooLarge, `Total size of request (${bytes} bytes) exceeds the limit of 100MB`);
}

async function jsonBody(c: Ctx, what: string): Promise<unknown> {
  declaredWithin(c.req.header("content-length"), limits.bulkBytes, requestTooLarge);
  const text = await c.req.text();
  const bytes = byteLength(text);
  if (bytes > limits.bulkBytes) throw requestTooLarge(bytes);
  return parseJsonBody(text, what);
}

interface Entry {
  key: string;
  value: string | Uint8Array;
  expiry: Expiry;
  metadata?: unknown;
}

function base64Bytes(text: string, at: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    throw badRequest(`${at}: value is not valid base64`);
  }
}

function optionalNumber(value: unknown, at: string, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw badRequest(`${at}: ${field} must be a number`);
  return value;
}

function entryOf(raw: unknown, index: number, now: number): Entry {
  const at = `entry ${index}`;
  if (!isRecord(raw)) throw badRequest(`${at}: each entry must be an object with "key" and "value"`);
  if (typeof raw.key !== "string") throw badRequest(`${at}: key must be a string`);
  if (typeof raw.value !== "string") throw badRequest(`${at}: value must be a string`);
  if (raw.base64 !== undefined && typeof raw.base64 !== "boolean") throw badRequest(`${at}: base64 must be true or false`);
  const key = validKey(raw.key);
  const value = raw.base64 === true ? base64Bytes(raw.value, at) : raw.value;
  const size = typeof value === "string" ? byteLength(value) : value.byteLength;
  if (size > limits.valueBytes) throw tooLarge(size);
  const expiry = expiryOf(optionalNumber(raw.expiration_ttl, at, "expiration_ttl"), optionalNumber(raw.expiration, at, "expiration"), now);
  const entry: Entry = { key, value, expiry };
  if (raw.metadata !== undefined) entry.metadata = validMetadata(raw.metadata);
  return entry;
}

function arrayOf(body: unknown, what: string): unknown[] {
  if (!Array.isArray(body)) throw badRequest(`${what}: the body must be a JSON array`);
  if (body.length > limits.bulkEntries) throw badRequest(`${what}: at most ${limits.bulkEntries} entries per request, got ${body.length}`);
  return body;
}

/** Runs `op` over the items, CONCURRENCY at a time; answers with the items it failed on. */
async function eachLimited<T>(items: T[], op: (item: T) => Promise<void>): Promise<T[]> {
  const failed: T[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    const slice = items.slice(i, i + CONCURRENCY);
    const outcomes = await Promise.allSettled(slice.map(op));
    outcomes.forEach((outcome, j) => {
      const item = slice[j];
      if (outcome.status === "rejected" && item !== undefined) failed.push(item);
    });
  }
  return failed;
}

function bulkResult(total: number, failedKeys: string[]) {
  return success({ successful_key_count: total - failedKeys.length, unsuccessful_keys: failedKeys });
}

bulk.put("/bulk", async (c) => {
  const now = Math.floor(Date.now() / 1000);
  const entries = arrayOf(await jsonBody(c, "bulk write"), "bulk write").map((raw, i) => entryOf(raw, i, now));
  // A key listed twice keeps its last value, as sequential writes would leave it.
  const last = new Map(entries.map((e) => [e.key, e]));
  const failed = await eachLimited([...last.values()], (e) =>
    c.env.PLANS.put(e.key, e.value, { ...e.expiry, ...(e.metadata === undefined ? {} : { metadata: e.metadata }) }));
  const failedKeys = new Set(failed.map((e) => e.key));
  return c.json(bulkResult(entries.length, entries.filter((e) => failedKeys.has(e.key)).map((e) => e.key)));
});

async function bulkDelete(c: Ctx): Promise<Response> {
  const keys = arrayOf(await jsonBody(c, "bulk delete"), "bulk delete").map((k, i) => {
    if (typeof k !== "string") throw badRequest(`entry ${i}: each entry must be a key (a string)`);
    return validKey(k);
  });
  const failed = await eachLimited([...new Set(keys)], (k) => c.env.PLANS.delete(k));
  const failedKeys = new Set(failed);
  return c.json(bulkResult(keys.length, keys.filter((k) => failedKeys.has(k))));
}

bulk.delete("/bulk", bulkDelete);
bulk.post("/bulk/delete", bulkDelete);

interface BulkGet {
  keys: string[];
  type: "text" | "json";
  withMetadata: boolean;
}

function bulkGetRequest(body: unknown): BulkGet {
  if (!isRecord(body) || !Array.isArray(body.keys)) throw badRequest("bulk get: the body must be {\"keys\": [...]}");
  const keys = body.keys.map((k: unknown, i) => {
    if (typeof k !== "string") throw badRequest(`bulk get: keys[${i}] must be a string`);
    return validKey(k);
  });
  if (keys.length < 1) throw badRequest("You must request a minimum of 1 key");
  if (keys.length > limits.bulkGetKeys) throw badRequest(`You can request a maximum of ${limits.bulkGetKeys} keys`);
  const type = body.type ?? "text";
  if (type !== "text" && type !== "json") {
    throw badRequest(`"${typeof type === "string" ? type : JSON.stringify(type)}" is not a valid type. Use "json" or "text"`);
  }
  if (body.withMetadata !== undefined && typeof body.withMetadata !== "boolean") {
    throw badRequest("bulk get: withMetadata must be true or false");
  }
  return { keys, type, withMetadata: body.withMetadata === true };
}

function typed(text: string, type: BulkGet["type"]): unknown {
  if (type === "text") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("At least one of the requested keys corresponds to a non-json value");
  }
}

bulk.post("/bulk/get", async (c) => {
  const request = bulkGetRequest(await jsonBody(c, "bulk get"));
  const found = await c.env.PLANS.getWithMetadata(request.keys, "text");
  const values: Record<string, unknown> = {};
  for (const key of request.keys) {
    // A missing key maps to null (the binding's bulk read), not to { value: null }.
    const hit: KVNamespaceGetWithMetadataResult<string, unknown> | null | undefined = found.get(key);
    if (hit === undefined || hit === null || hit.value === null) {
      values[key] = null;
    } else {
      const value = typed(hit.value, request.type);
      values[key] = request.withMetadata ? { value, metadata: hit.metadata ?? null } : value;
    }
  }
  return c.json(success({ values }));
});
