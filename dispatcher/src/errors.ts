/**
 * The dispatcher's error policy. A `DispatchError` is a known outcome with a
 * code from DESIGN.md and a status fixed by that code; anything else is the
 * dispatcher's own fault, logged in full and answered with a generic 500.
 */
import type { Context } from "hono";
import type { PlanLimits } from "@tenantscope/core/plans";

const STATUS = {
  invalid_tenant_name: 400,
  invalid_request: 400,
  tenant_not_found: 404,
  tenant_suspended: 403,
  routing_unavailable: 503,
  cpu_limit_exceeded: 503,
  subrequest_limit_exceeded: 503,
  tenant_exception: 500,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof STATUS;

export class DispatchError extends Error {
  readonly code: ErrorCode;
  readonly status: (typeof STATUS)[ErrorCode];

  /** Seconds, for codes that tell the client when to come back (routing_unavailable). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(message, options);
    this.name = "DispatchError";
    this.code = code;
    // The status follows from the code, so the two can never disagree.
    this.status = STATUS[code];
    this.retryAfter = options?.retryAfter;
  }
}

/** Messages the runtime gives; production may append text (a docs link), so match the start. */
const WORKER_NOT_FOUND = "Worker not found";
const CPU_EXCEEDED = "Worker exceeded CPU time limit";
const TOO_MANY_SUBREQUESTS = "Too many subrequests";

/** Turns whatever `worker.fetch()` threw into the tenant's error. Only call it for that. */
export function tenantFailure(error: unknown, tenant: string, limits: PlanLimits): DispatchError {
  const message = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (message.startsWith(WORKER_NOT_FOUND)) {
    return new DispatchError("tenant_not_found", `No tenant named "${tenant}" is deployed.`, cause);
  }
  if (message.startsWith(CPU_EXCEEDED)) {
    return new DispatchError("cpu_limit_exceeded", `Tenant "${tenant}" exceeded its CPU time limit of ${limits.cpuMs} ms.`, cause);
  }
  if (message.startsWith(TOO_MANY_SUBREQUESTS)) {
    return new DispatchError("subrequest_limit_exceeded", `Tenant "${tenant}" exceeded its limit of ${limits.subRequests} subrequests.`, cause);
  }
  // The seed's behaviour: the tenant's own message goes back to the client.
  return new DispatchError("tenant_exception", message === "" ? `Tenant "${tenant}" threw an exception.` : message, cause);
}

export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

const INTERNAL_MESSAGE = "The dispatcher failed to handle this request.";

/** The one `app.onError`: domain errors as they are, everything else as a logged 500. */
export function onDispatchError(error: Error, c: Context): Response {
  if (error instanceof DispatchError) {
    const headers: Record<string, string> = error.retryAfter === undefined ? {} : { "retry-after": String(error.retryAfter) };
    return c.json(errorBody(error.code, error.message), error.status, headers);
  }
  // Not a domain error: a bug, bad config or a failing binding. Log it, show nothing of it.
  console.error("tenantscope: internal error in the dispatcher:", error);
  return c.json(errorBody("internal_error", INTERNAL_MESSAGE), STATUS.internal_error);
}
