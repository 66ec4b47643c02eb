/**
 * Internal routes for the tenant host (local/host), which runs tenants in their own
 * process and has no registry of its own: the code of a script version, and the
 * traces of its isolates for the tail relay. Behind the API's bearer token.
 */
import { Hono } from "hono";
import { isRecord } from "@tenantscope/core/result";
import { registryStub, lookupScript } from "../store/client.ts";
import { relayTraces } from "../tail/relay.ts";
import { ApiError, codes } from "./envelope.ts";
import { codeOf, probeCode } from "./probe.ts";

export const runtime = new Hono<{ Bindings: Env }>();

runtime.get("/code/:namespace/:script/:etag", async (c) => {
  const { namespace, script, etag } = c.req.param();
  const probing = probeCode(namespace, script, etag);
  if (probing !== null) return c.json(probing);
  // A script replaced since the namespace looked it up is served as it is now:
  // production, too, may run either version during a replace.
  const record = await lookupScript(c.env, namespace, script);
  const modules = record === null ? null : await registryStub(c.env).getModules(namespace, script, record.etag);
  if (record === null || modules === null) throw new ApiError(404, codes.scriptNotFound, `script ${script} not found in namespace ${namespace}`);
  return c.json(codeOf(record, modules));
});

runtime.post("/traces", async (c) => {
  const body: unknown = await c.req.json().catch(() => null);
  if (!isRecord(body) || typeof body.namespace !== "string" || typeof body.script !== "string" || !Array.isArray(body.traces)) {
    throw new ApiError(400, codes.badRequest, "expected {namespace, script, traces: [...]}");
  }
  // The host does not wait for delivery: its tail invocation should end promptly.
  c.executionCtx.waitUntil(relayTraces(c.env, { namespace: body.namespace, script: body.script }, body.traces));
  return c.body(null, 202);
});
