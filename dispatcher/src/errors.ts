/**
 * The dispatcher's error policy. A `DispatchError` is a known outcome with a
 * code from DESIGN.md and a status fixed by that code; anything else is the
 * dispatcher's own fault, logged in full and answered with a generic 500.
 */
import type { Context } from "hono";
import { formatAnswerLine } from "@tenantscope/core/answer-log";
import type { PlanLimits } from "@tenantscope/core/plans";

const STATUS = {
  invalid_tenant_name: 400,
  invalid_request: 400,
  tenant_not_found: 404,
  tenant_suspended: 403,
  quota_exceeded: 429,
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

  /** Seconds, for codes that tell the client when to come back (routing_unavailable, quota_exceeded). */
  readonly retryAfter: number | undefined;

  /** The tenant name the request asked for, when routing rejected it before any route existed. */
  readonly requested: string | undefined;

  /** The tenant ran and failed: its own trace records the answer, so the dispatcher logs none. */
  readonly reachedTenant: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfter?: number; requested?: string; reachedTenant?: boolean }) {
    super(message, options);
    this.name = "DispatchError";
    this.code = code;
    // The status follows from the code, so the two can never disagree.
    this.status = STATUS[code];
    this.retryAfter = options?.retryAfter;
    this.requested = options?.requested;
    this.reachedTenant = options?.reachedTenant === true;
  }
}

/** Messages the runtime gives; production may append text (a docs link), so match the start. */
const WORKER_NOT_FOUND = "Worker not found";
const CPU_EXCEEDED = "Worker exceeded CPU time limit";
const TOO_MANY_SUBREQUESTS = "Too many subrequests";

/** Turns whatever `worker.fetch()` threw into the tenant's error. Only call it for that. */
export function tenantFailure(error: unknown, tenant: string, limits: PlanLimits): DispatchError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith(WORKER_NOT_FOUND)) {
    return new DispatchError("tenant_not_found", `No tenant named "${tenant}" is deployed.`, { cause: error });
  }
  const cause = { cause: error, reachedTenant: true };
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

/** The tenant a request named, as the app recorded it (a context variable), if routing got that far. */
export type RouteTenant = (c: Context) => string | undefined;

/**
 * The one `app.onError`: domain errors as they are, everything else as a logged 500.
 * Every answer the dispatcher gives itself also writes one answer line (core/answer-log)
 * for the Tail Worker; failures of a tenant that ran write none.
 */
export function onDispatchError(routeTenant: RouteTenant, writeAnswer: (line: string) => void) {
  return function answerError(error: Error, c: Context): Response {
    const known = error instanceof DispatchError ? error : null;
    if (known === null) {
      // Not a domain error: a bug, bad config or a failing binding. Log it, show nothing of it.
      console.error("tenantscope: internal error in the dispatcher:", error);
    }
    const code = known?.code ?? "internal_error";
    const message = known?.message ?? INTERNAL_MESSAGE;
    const status = STATUS[code];
    if (known?.reachedTenant !== true) {
      const tenant = routeTenant(c) ?? known?.requested ?? null;
      writeAnswer(formatAnswerLine({ tenant, status, code, method: c.req.method, message }));
    }
    const headers: Record<string, string> = known?.retryAfter === undefined ? {} : { "retry-after": String(known.retryAfter) };
    return c.json(errorBody(code, message), status, headers);
  };
}
