/**
 * Completes a local trace the way production fills it in: the runtime leaves
 * scriptName, dispatchNamespace and scriptTags empty for Worker-Loader isolates
 * and reports cpuTime = wallTime = 0. The stand-in's own measurement (found
 * through the invocation header it put on the request) supplies the times and,
 * for a CPU limit enforced after the fact, the `exceededCpu` outcome.
 */
import { isRecord } from "@tenantscope/core/result";
import { INVOCATION_HEADER, PROBE_ENTRYPOINT } from "../../host/src/wrapper/protocol.ts";
import type { Measurement } from "../runtime/measurements.ts";

export interface TraceOwner {
  namespace: string;
  script: string;
  tags: readonly string[];
  /** The upload's etag: a new one per upload, like a version id. */
  versionId: string;
}

/** The invocation id the stand-in put on the request, removed from the trace. */
export function takeInvocationId(trace: Record<string, unknown>): string | null {
  const event = trace.event;
  if (!isRecord(event) || !isRecord(event.request) || !isRecord(event.request.headers)) return null;
  const headers = event.request.headers;
  let id: string | null = null;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== INVOCATION_HEADER) continue;
    const value = headers[key];
    if (typeof value === "string") id = value;
    delete headers[key];
  }
  return id;
}

/** The stand-in's warm-up call is not a tenant invocation. */
export function isProbe(trace: Record<string, unknown>): boolean {
  return trace.entrypoint === PROBE_ENTRYPOINT;
}

export function enrichTrace(trace: Record<string, unknown>, owner: TraceOwner, measured: Measurement | undefined): Record<string, unknown> {
  if (typeof trace.scriptName !== "string" || trace.scriptName === "") trace.scriptName = owner.script;
  trace.dispatchNamespace = owner.namespace;
  trace.scriptTags = [...owner.tags];
  if (!isRecord(trace.scriptVersion)) trace.scriptVersion = { id: owner.versionId };
  if (measured !== undefined) {
    trace.cpuTime = Math.round(measured.cpuMs);
    trace.wallTime = Math.round(measured.wallMs);
    if (measured.exceededCpu) {
      // Production: the client got the CPU error, and the trace has no response.
      trace.outcome = "exceededCpu";
      if (isRecord(trace.event)) delete trace.event.response;
    }
  }
  return trace;
}
