/**
 * What the stand-in's namespace and the supervisor say to each other, in headers
 * of the tenant's own request and response (so bodies stream through untouched).
 */

/** On the request: the invocation the supervisor runs (JSON, `RunHeader`). */
export const RUN_HEADER = "x-tenantscope-run";
/** On the response: CPU ms the tenant's code used, measured on its process's thread. */
export const CPU_HEADER = "x-tenantscope-cpu-ms";
/** On the response: "1" when CPU_HEADER is the invocation's final figure; "0" while a long body still streams. */
export const CPU_FINAL_HEADER = "x-tenantscope-cpu-final";
/** On the response: why the supervisor, not the tenant, answered (`RunError`). */
export const RUN_ERROR_HEADER = "x-tenantscope-run-error";

export type RunError = "cpu_limit" | "process_failed" | "bad_run";

export interface RunHeader {
  /** The invocation id (also the trace's key in the tail relay). */
  id: string;
  /** The loaded isolate this runs in (`namespace/script@etag`): warmed once per process, unmetered. */
  isolate: string;
  /** The plan's CPU limit; absent = unlimited. */
  cpuMs?: number;
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
  const { id, isolate, cpuMs } = parsed as Record<string, unknown>;
  if (typeof id !== "string" || id === "" || typeof isolate !== "string" || isolate === "") return null;
  if (cpuMs !== undefined && (typeof cpuMs !== "number" || !(cpuMs > 0))) return null;
  return cpuMs === undefined ? { id, isolate } : { id, isolate, cpuMs };
}

/** Paths the supervisor and the tenant host serve themselves. */
export const SUPERVISOR_PATHS = {
  /** GET: `{cpuMs}` of a streamed invocation, once its body has ended. */
  finalCpu: (id: string) => `/__tenantscope/cpu/${encodeURIComponent(id)}`,
  status: "/__tenantscope/status",
} as const;

export const HOST_PATHS = {
  ping: "/__tenantscope/ping",
  /** Loads the isolate named in RUN_HEADER and answers 204 (or the load's error). */
  warm: "/__tenantscope/warm",
} as const;
