/**
 * Local-only: calls a tenant through the namespace binding exactly as the dispatcher
 * does (`get(name, {}, { limits }).fetch(request)`), for tests and benchmarks in Node,
 * which cannot hold the binding itself. `ALL /_local/invoke/:namespace/:script/<path>`
 * with the limits as JSON in `x-tenantscope-limits`, or the whole call as JSON in
 * `x-tenantscope-get`: `{args?, options?, outboundWorker?}` (get()'s second and third
 * arguments, and the binding's `outbound` config `{service, parameters}`). A bad shape
 * answers what get() threw; what the tenant's fetch() throws comes back as 599
 * `{thrown: {name, message}}`. Not part of Cloudflare's API.
 */
import { Hono } from "hono";
import { HEADER_LIMITS } from "@tenantscope/core/names";
import { isRecord } from "@tenantscope/core/result";
import { TenantWorker, dispatchOf, type Limits, type OutboundWorker } from "../runtime/namespace.ts";
import { ApiError, codes } from "./envelope.ts";

export const invoke = new Hono<{ Bindings: Env }>();

/** Not a status any tenant or runtime answers with, so a test cannot mistake it. */
export const THROWN_STATUS = 599;
export const GET_HEADER = "x-tenantscope-get";

function jsonHeader(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ApiError(400, codes.badRequest, `${name} is not JSON`);
  }
}

function outboundWorkerOf(value: unknown): OutboundWorker | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || typeof value.service !== "string" || !Array.isArray(value.parameters) || !value.parameters.every((p) => typeof p === "string")) {
    throw new ApiError(400, codes.badRequest, `${GET_HEADER}: outboundWorker must be {service, parameters: string[]}`);
  }
  return { service: value.service, parameters: value.parameters };
}

function thrownResponse(error: unknown): Response {
  const thrown = error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
  return new Response(JSON.stringify({ thrown }), { status: THROWN_STATUS, headers: { "content-type": "application/json" } });
}

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
  const raw = headers.get(GET_HEADER);
  const get = raw === null ? {} : jsonHeader(GET_HEADER, raw);
  if (!isRecord(get)) throw new ApiError(400, codes.badRequest, `${GET_HEADER} is not an object`);
  headers.delete("authorization");
  headers.delete(GET_HEADER);
  const outboundWorker = outboundWorkerOf(get.outboundWorker);
  const request = new Request(target, { method: c.req.method, headers, body: c.req.raw.body });
  try {
    const options = get.options === undefined ? { limits } : get.options;
    const worker = new TenantWorker(c.env, c.executionCtx, namespace, script, dispatchOf(get.args ?? {}, options, outboundWorker));
    return await worker.fetch(request);
  } catch (error) {
    return thrownResponse(error);
  }
});
