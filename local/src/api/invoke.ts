/**
 * Local-only: calls a tenant through the namespace binding exactly as the dispatcher
 * does (`get(name, {}, { limits }).fetch(request)`), for tests and benchmarks in Node,
 * which cannot hold the binding itself. `ALL /_local/invoke/:namespace/:script/<path>`
 * with the limits as JSON in `x-tenantscope-limits`; what the tenant's fetch() throws
 * comes back as 599 `{thrown: {name, message}}`. Not part of Cloudflare's API.
 */
import { Hono } from "hono";
import { HEADER_LIMITS } from "@tenantscope/core/names";
import { isRecord } from "@tenantscope/core/result";
import { TenantWorker, type Limits } from "../runtime/namespace.ts";
import { ApiError, codes } from "./envelope.ts";

export const invoke = new Hono<{ Bindings: Env }>();

/** Not a status any tenant or runtime answers with, so a test cannot mistake it. */
export const THROWN_STATUS = 599;

function limitsOf(value: string | undefined): Limits {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ApiError(400, codes.badRequest, `${HEADER_LIMITS} is not JSON`);
  }
  if (!isRecord(parsed)) throw new ApiError(400, codes.badRequest, `${HEADER_LIMITS} is not an object`);
  const limits: Limits = {};
  if (typeof parsed.cpuMs === "number") limits.cpuMs = parsed.cpuMs;
  if (typeof parsed.subRequests === "number") limits.subRequests = parsed.subRequests;
  return limits;
}

invoke.all("/:namespace/:script/*", async (c) => {
  const { namespace, script } = c.req.param();
  const url = new URL(c.req.url);
  const prefix = `/_local/invoke/${encodeURIComponent(namespace)}/${encodeURIComponent(script)}`;
  const target = new URL(`http://${script}.example${url.pathname.slice(prefix.length) || "/"}${url.search}`);
  const headers = new Headers(c.req.raw.headers);
  const limits = limitsOf(headers.get(HEADER_LIMITS) ?? undefined);
  headers.delete("authorization");
  const request = new Request(target, { method: c.req.method, headers, body: c.req.raw.body });
  try {
    return await new TenantWorker(c.env, c.executionCtx, namespace, script, limits).fetch(request);
  } catch (error) {
    const thrown = error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
    return new Response(JSON.stringify({ thrown }), { status: THROWN_STATUS, headers: { "content-type": "application/json" } });
  }
});
