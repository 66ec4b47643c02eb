/**
 * How the stand-in's namespace, the dev runner's supervisor and the tenant host talk
 * about one invocation: headers on the tenant's own request and response (so bodies
 * stream through untouched), and the stand-in's internal routes the host calls back.
 * Plain constants and parsers, imported by all three (two Workers and Node).
 */

import type { JsonValue } from "../../src/store/types.ts";

/** On the request: the invocation to run (JSON, `RunHeader`, `encodeRunHeader`); removed before the tenant sees it. */
export const RUN_HEADER = "x-tenantscope-run";
/**
 * The most a RUN_HEADER may carry for props (bytes of `asciiJson`): they ride in a
 * header, under the supervisor's and workerd's header limits.
 */
export const MAX_RUN_DATA_BYTES = 32 * 1024;
/** On the response: CPU ms the tenant's code used, measured on its process's thread. */
export const CPU_HEADER = "x-tenantscope-cpu-ms";
/** On the response: "1" when CPU_HEADER is the invocation's final figure; "0" while a long body still streams. */
export const CPU_FINAL_HEADER = "x-tenantscope-cpu-final";
/**
 * On the response, when the tenant made any: the subrequests it had made when its
 * headers went out. The supervisor does not charge their cost (see HOST_PATHS.subrequests).
 */
export const SUBREQUESTS_HEADER = "x-tenantscope-subrequests";
/** On a calibration run: a URL the calibration tenant fetches CALIBRATION_FETCHES times (what a subrequest costs). */
export const CALIBRATION_TARGET_HEADER = "x-tenantscope-calibration-target";
export const CALIBRATION_FETCHES = 5;
/**
 * On the host's post of traces to the supervisor (SUPERVISOR_PATHS.traces): the
 * invocation ids they are of, comma-separated.
 */
export const TRACE_IDS_HEADER = "x-tenantscope-trace-ids";
/** The namespace of the host's built-in calibration tenant (never in the registry). */
export const CALIBRATION_NAMESPACE = "__tenantscope";
/** On the response: why the runtime, not the tenant, answered (`RunError`). */
export const RUN_ERROR_HEADER = "x-tenantscope-run-error";

/**
 * - cpu_killed: the supervisor killed the process past the CPU limit (no trace comes);
 * - cpu_exceeded: it finished, but over the limit; the answer is dropped (its trace comes);
 * - exception: the tenant threw (or failed to load); the body is `TenantException`;
 * - process_failed: the tenant process died or dropped the request;
 * - bad_run: a request without a valid RUN_HEADER.
 */
export type RunError = "cpu_killed" | "cpu_exceeded" | "exception" | "process_failed" | "bad_run";

/** The loaded isolate of one script version: the same for an upload's probe and the version's invocations. */
export function isolateOf(namespace: string, script: string, etag: string): string {
  return `${namespace}/${script}@${etag}`;
}

export interface RunHeader {
  /** The invocation id (also the trace's key in the tail relay). */
  id: string;
  /** The loaded isolate this runs in (`namespace/script@etag`): warmed once per process, unmetered. */
  isolate: string;
  /** The plan's CPU limit; absent = unlimited. */
  cpuMs?: number;
  /** What the host loads and how it counts. */
  namespace: string;
  script: string;
  etag: string;
  /** The plan's subrequest limit; absent = unlimited. */
  subRequests?: number;
  /** What the dispatcher passed as `args.props`: the tenant's `ctx.props`. */
  props?: JsonValue;
  /** The namespace's Outbound Worker, which this invocation's subrequests go through. */
  outbound?: RunOutbound;
}

export interface RunOutbound {
  service: string;
}

/** JSON with every non-ASCII character escaped: a header value must be Latin-1, and props may hold any text. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function encodeRunHeader(run: RunHeader): string {
  return asciiJson(run);
}

/** The date a script without one runs with (and what the API reports for it). */
export const DEFAULT_COMPATIBILITY_DATE = "2026-11-01";

/** Cloudflare's limit on a Worker's startup (parsing and running its global scope), ms. */
export const STARTUP_LIMIT_MS = 1000;
/** Cloudflare's text when an upload's global scope runs past it (wrangler's startup-limit help keys on it). */
export const STARTUP_EXCEEDED = "Script startup exceeded CPU time limit.";

/** Answer headers only the runtime writes: stripped from a tenant's answer, and from the client's. */
export const RUNTIME_RESPONSE_HEADERS: readonly string[] = [CPU_HEADER, CPU_FINAL_HEADER, RUN_ERROR_HEADER, SUBREQUESTS_HEADER];

const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** What the tenant threw, rebuilt with its type and message, as production hands it to the caller. */
export function rebuildException(thrown: TenantException): Error {
  const error = new (ERRORS[thrown.name] ?? Error)(thrown.message);
  if (!(thrown.name in ERRORS) && thrown.name !== "Error") error.name = thrown.name;
  return error;
}

/** What the tenant threw, as the host saw it. */
export interface TenantException {
  name: string;
  message: string;
}

function positive(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === "number" && value > 0);
}

function text(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function isOutbound(value: unknown): value is RunOutbound {
  if (typeof value !== "object" || value === null) return false;
  return text((value as Record<string, unknown>).service);
}

export function parseRunHeader(value: string | null | undefined): RunHeader | null {
  if (value === null || value === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const { id, isolate, cpuMs, namespace, script, etag, subRequests, props, outbound } = parsed as Record<string, unknown>;
  if (!text(id) || !text(isolate) || !text(namespace) || !text(script) || !text(etag) || !positive(cpuMs) || !positive(subRequests)) return null;
  if (outbound !== undefined && !isOutbound(outbound)) return null;
  return {
    id, isolate, namespace, script, etag,
    ...(cpuMs === undefined ? {} : { cpuMs }),
    ...(subRequests === undefined ? {} : { subRequests }),
    // Parsed from JSON, so JSON.
    ...(props === undefined ? {} : { props: props as JsonValue }),
    ...(outbound === undefined ? {} : { outbound }),
  };
}

/** The last word on a streamed invocation's CPU; null when it never came. */
export interface FinalCpu {
  cpuMs: number | null;
  exceeded: boolean;
}

/** Paths the supervisor serves itself. */
export const SUPERVISOR_PATHS = {
  /** GET: `FinalCpu` of a streamed invocation, once its body has ended. */
  finalCpu: (id: string) => `/__tenantscope/cpu/${encodeURIComponent(id)}`,
  finalCpuPrefix: "/__tenantscope/cpu/",
  status: "/__tenantscope/status",
  /** GET: a line at once; what the calibration tenant fetches to measure a subrequest. */
  echo: "/__tenantscope/echo",
  /**
   * POST with RUN_HEADER: loads that script version in a fresh isolate and answers
   * 204 with its startup CPU (CPU_HEADER), or its load error as an invocation's.
   */
  probe: "/__tenantscope/probe",
  /**
   * POST from a tenant host: `{namespace, script, traces}` with TRACE_IDS_HEADER, the
   * traces of its isolates. Answered 202 at once and relayed to PLATFORM_PATHS.traces:
   * the supervisor holds the process until the trace of the invocation that just ran
   * has come, so that its cost is nobody's. A post without a body only says so
   * (the calibration tenant's traces, which the relay would drop).
   */
  traces: "/__tenantscope/traces",
} as const;

/** Paths the tenant host serves. */
export const HOST_PATHS = {
  ping: "/__tenantscope/ping",
  /** Loads the isolate named in RUN_HEADER and answers 204 (or the load's error). */
  warm: "/__tenantscope/warm",
  /**
   * Runs a built-in tenant that does nothing, wrapped and traced like any other: what
   * its invocations cost the thread is the runtime's own share (the wrapper, building
   * and sending the trace), which the supervisor subtracts from every charge.
   */
  calibrate: "/__tenantscope/calibrate",
  /**
   * A full GC of the isolate named in RUN_HEADER, then of the host's own (204; 501
   * without the V8 flag). The supervisor calls it between invocations, for the isolate
   * that just ran: see HOST_GC_EVERY in local/dev/tenants/host-client.ts.
   */
  gc: "/__tenantscope/gc",
  /**
   * GET `?id=<invocation>`: the subrequests that invocation has made so far (text).
   * Time spent on network requests is not CPU time on Cloudflare, but here each
   * subrequest passes the host's gate and loopback HTTP on the tenant's thread (about
   * 1 ms on a slow laptop). The supervisor asks before it kills an invocation that
   * waits on I/O, and takes the calibrated cost of each off the charge.
   */
  subrequests: "/__tenantscope/subrequests",
} as const;

/** The stand-in's internal routes for the host (bearer token as for the rest of the API). */
export const PLATFORM_PATHS = {
  /** GET: `ScriptCode` of one script version. */
  code: (namespace: string, script: string, etag: string) =>
    `/_local/runtime/code/${encodeURIComponent(namespace)}/${encodeURIComponent(script)}/${encodeURIComponent(etag)}`,
  /** POST: `{namespace, script, traces}`: a tenant isolate's traces, as plain JSON, for the tail relay. */
  traces: "/_local/runtime/traces",
  /** ALL: one subrequest, for the namespace's Outbound Worker (src/runtime/outbound.ts). */
  outbound: (service: string) => `/_local/outbound/${encodeURIComponent(service)}`,
} as const;
