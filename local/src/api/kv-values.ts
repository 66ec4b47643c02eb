/**
 * Single values of the plans namespace: write (raw or multipart with metadata),
 * read (the bytes, not an envelope), delete, metadata, and the key list.
 * Mounted under /:id by kv.ts, after the namespace id is checked.
 */
import { Hono } from "hono";
import { ApiError, codes, success } from "./envelope.ts";
import {
  byteLength, declaredWithin, expiryOf, limits, listLimit, parseMetadata, tooLarge, validKey,
} from "./kv-rules.ts";

export const values = new Hono<{ Bindings: Env }>();

/** Room for the multipart framing and a 1 KiB metadata part around a value at the limit. */
const MULTIPART_SLACK = 64 * 1024;

// `{.+}`: the SDK 6.x sends a key's `/` unescaped; it stays part of the key.
const KEY = ":key{.+}";

export function keyNotFound(): ApiError {
  return new ApiError(404, codes.kvKeyNotFound, "get: 'key not found'");
}

interface Write {
  value: ArrayBuffer | string;
  metadata?: unknown;
}

async function partText(part: string | File): Promise<string> {
  return typeof part === "string" ? part : part.text();
}

/**
 * The multipart form wrangler and the SDK send: `value` (a text field, or a file
 * part for binary data) and an optional `metadata` (a text field from wrangler, a
 * `filename="metadata"` file part from SDK 6.x). Other parts are ignored, as
 * SDK 7.x's bracket-flattened `metadata[owner]` fields are (local/README.md).
 */
async function fromMultipart(req: Request): Promise<Write> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ApiError(400, codes.badRequest, "malformed multipart/form-data body");
  }
  const value = form.get("value");
  if (value === null) throw new ApiError(400, codes.badRequest, "multipart body without a \"value\" part");
  const metadataPart = form.get("metadata");
  const write: Write = { value: typeof value === "string" ? value : await value.arrayBuffer() };
  if (metadataPart !== null) write.metadata = parseMetadata(await partText(metadataPart));
  return write;
}

values.put(`/values/${KEY}`, async (c) => {
  const key = validKey(c.req.param("key"));
  const expiry = expiryOf(c.req.query("expiration_ttl"), c.req.query("expiration"));
  const multipart = (c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
  declaredWithin(c.req.header("content-length"), limits.valueBytes + (multipart ? MULTIPART_SLACK : 0), tooLarge);
  const write = multipart ? await fromMultipart(c.req.raw) : { value: await c.req.arrayBuffer() };
  const size = typeof write.value === "string" ? byteLength(write.value) : write.value.byteLength;
  if (size > limits.valueBytes) throw tooLarge(size);
  await c.env.PLANS.put(key, write.value, { ...expiry, ...(write.metadata === undefined ? {} : { metadata: write.metadata }) });
  return c.json(success({}));
});

values.get(`/values/${KEY}`, async (c) => {
  const value = await c.env.PLANS.get(validKey(c.req.param("key")), "arrayBuffer");
  if (value === null) throw keyNotFound();
  return c.body(value, 200, { "content-type": "application/octet-stream" });
});

values.delete(`/values/${KEY}`, async (c) => {
  await c.env.PLANS.delete(validKey(c.req.param("key")));
  return c.json(success({}));
});

values.get(`/metadata/${KEY}`, async (c) => {
  const { value, metadata } = await c.env.PLANS.getWithMetadata(validKey(c.req.param("key")), "stream");
  if (value === null) throw keyNotFound();
  // Only the metadata is wanted: release the value unread.
  await value.cancel();
  return c.json(success(metadata ?? null));
});

values.get("/keys", async (c) => {
  const limit = listLimit(c.req.query("limit"));
  const prefix = c.req.query("prefix") ?? "";
  if (byteLength(prefix) > limits.keyBytes) {
    throw new ApiError(414, codes.badRequest, `UTF-8 encoded length of ${byteLength(prefix)} exceeds key length limit of ${limits.keyBytes}.`);
  }
  const cursor = c.req.query("cursor");
  const page = await c.env.PLANS.list({ prefix, limit, cursor: cursor === "" ? null : cursor ?? null });
  const keys = page.keys.map((k) => ({
    name: k.name,
    ...(k.expiration === undefined ? {} : { expiration: k.expiration }),
    ...(k.metadata === undefined ? {} : { metadata: k.metadata }),
  }));
  // Cloudflare ends a listing with cursor "": wrangler and the SDK stop on a falsy cursor.
  return c.json(success(keys, { count: keys.length, cursor: page.list_complete ? "" : page.cursor }));
});
