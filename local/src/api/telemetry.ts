/**
 * `POST /client/v4/accounts/:account/workers/observability/telemetry/query`, as the
 * Workers Observability API answers it (Cloudflare's API reference; the `cloudflare`
 * SDK's `workers.observability.telemetry.query`), over the stand-in's log store
 * (telemetry/store.ts). Supported: `view: "events"`, `timeframe`, `limit`, filters
 * `$metadata.service` with `eq` (and `=`), combined with `and`, and `needle.value`.
 * Anything else is a 400 that names it, never a silently wider answer.
 */
import { Hono } from "hono";
import { isRecord } from "@tenantscope/core/result";
import { findLogs, type StoredLog } from "../telemetry/store.ts";
import { ApiError, codes, success } from "./envelope.ts";

const MAX_LIMIT = 2000;
const DEFAULT_LIMIT = 50;

function bad(message: string): ApiError {
  return new ApiError(400, codes.badRequest, message);
}

function serviceFilter(parameters: Record<string, unknown>): string | null {
  const combination = parameters.filterCombination;
  if (combination !== undefined && combination !== "and" && combination !== "AND") throw bad(`filterCombination ${JSON.stringify(combination)} is not supported locally; use "and"`);
  const filters = parameters.filters ?? [];
  if (!Array.isArray(filters)) throw bad("parameters.filters must be an array");
  let service: string | null = null;
  for (const f of filters) {
    if (!isRecord(f) || f.kind === "group") throw bad("only leaf filters are supported locally");
    if (f.key !== "$metadata.service") throw bad(`filter key ${JSON.stringify(f.key)} is not supported locally; use $metadata.service`);
    if (f.operation !== "eq" && f.operation !== "=") throw bad(`filter operation ${JSON.stringify(f.operation)} is not supported locally; use eq`);
    if (typeof f.value !== "string") throw bad("the $metadata.service filter needs a string value");
    service = f.value;
  }
  return service;
}

function event(l: StoredLog) {
  return {
    $metadata: { id: l.id, service: l.service, level: l.level, message: l.message, requestId: l.requestId, type: "cf-worker-log", origin: "fetch" },
    dataset: "cloudflare-workers",
    source: { message: l.message, level: l.level },
    timestamp: l.timestamp,
    $workers: { eventType: "fetch", requestId: l.requestId, scriptName: l.service, outcome: l.outcome },
  };
}

export const telemetry = new Hono<{ Bindings: Env }>();

telemetry.post("/query", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw bad("body must be JSON");
  }
  if (!isRecord(body)) throw bad("body must be a JSON object");
  if (typeof body.queryId !== "string" || body.queryId === "") throw bad("queryId is required");
  const tf = body.timeframe;
  if (!isRecord(tf) || typeof tf.from !== "number" || typeof tf.to !== "number" || tf.from > tf.to) throw bad("timeframe must be {from, to} in ms, from ≤ to");
  const view = body.view ?? "events";
  if (view !== "events") throw bad(`view ${JSON.stringify(view)} is not supported locally; use "events"`);
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw bad(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const parameters = body.parameters ?? {};
  if (!isRecord(parameters)) throw bad("parameters must be an object");
  const needle = isRecord(parameters.needle) && typeof parameters.needle.value === "string" ? parameters.needle.value : null;
  const started = Date.now();
  const found = findLogs({ service: serviceFilter(parameters), from: tf.from, to: tf.to, needle, limit });
  const now = new Date().toISOString();
  const statistics = { elapsed: (Date.now() - started) / 1000, rows_read: found.count, bytes_read: 0 };
  return c.json(success({
    run: {
      id: crypto.randomUUID(), accountId: c.req.param("account") ?? "local", dry: body.dry === true, granularity: 0, status: "COMPLETED",
      timeframe: { from: tf.from, to: tf.to }, userId: "local", created: now, updated: now, statistics,
      query: { id: body.queryId, adhoc: true, created: now, createdBy: "local", description: null, name: body.queryId, parameters, updated: now, updatedBy: "local" },
    },
    statistics,
    events: { events: found.events.map(event), count: found.count, fields: [{ key: "$metadata.message", type: "string" }], series: [] },
  }));
});
