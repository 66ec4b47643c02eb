/**
 * The slice of Cloudflare's Workers KV REST API that the dev runner, the CLI and
 * the dashboard use to write plans, over the same local KV the dispatcher reads.
 */
import { Hono } from "hono";
import { ApiError, codes, success } from "./envelope.ts";

const MAX_KEY_BYTES = 512;
const MAX_LIST = 1000;
/** Workers KV's value limit: 25 MiB. */
const MAX_VALUE_BYTES = 25 * 1024 * 1024;

export const kv = new Hono<{ Bindings: Env }>();

kv.use("/:id/*", async (c, next) => {
  if (c.req.param("id") !== c.env.PLANS_KV_ID) {
    throw new ApiError(404, codes.kvNamespaceNotFound,
      `KV namespace "${c.req.param("id")}" not found; the local API serves "${c.env.PLANS_KV_ID}"`);
  }
  await next();
});

function tooLarge(bytes: number): ApiError {
  return new ApiError(413, codes.kvValueTooLarge, `Value length of ${bytes} exceeds limit of ${MAX_VALUE_BYTES}.`);
}

function keyOf(raw: string): string {
  if (raw === "" || new TextEncoder().encode(raw).length > MAX_KEY_BYTES) {
    throw new ApiError(400, codes.badRequest, `KV keys must be 1-${MAX_KEY_BYTES} bytes`);
  }
  return raw;
}

kv.put("/:id/values/:key", async (c) => {
  const key = keyOf(c.req.param("key"));
  const declared = Number(c.req.header("content-length") ?? "0");
  // Refused before reading a body the limit already rules out; checked again once read.
  if (declared > MAX_VALUE_BYTES) throw tooLarge(declared);
  const value = await c.req.arrayBuffer();
  if (value.byteLength > MAX_VALUE_BYTES) throw tooLarge(value.byteLength);
  await c.env.PLANS.put(key, new TextDecoder().decode(value));
  return c.json(success({}));
});

kv.get("/:id/values/:key", async (c) => {
  const value = await c.env.PLANS.get(keyOf(c.req.param("key")));
  if (value === null) throw new ApiError(404, codes.kvKeyNotFound, "key not found");
  return c.text(value);
});

kv.delete("/:id/values/:key", async (c) => {
  await c.env.PLANS.delete(keyOf(c.req.param("key")));
  return c.json(success({}));
});

kv.get("/:id/keys", async (c) => {
  const limitRaw = c.req.query("limit");
  const limit = limitRaw === undefined ? MAX_LIST : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
    throw new ApiError(400, codes.badRequest, `limit must be an integer from 1 to ${MAX_LIST}`);
  }
  const cursor = c.req.query("cursor");
  const page = await c.env.PLANS.list({ prefix: c.req.query("prefix") ?? null, limit, cursor: cursor === "" ? null : cursor ?? null });
  const keys = page.keys.map((k) => ({ name: k.name }));
  return c.json(success(keys, { count: keys.length, cursor: page.list_complete ? "" : page.cursor }));
});
