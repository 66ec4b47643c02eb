/**
 * The dashboard's error policy. A `DashboardError` is a known outcome with a clear
 * message meant for the reader (a bad parameter, a missing role, the SQL API being
 * down); it is shown on the page or returned as JSON with its status. Anything else
 * is a bug: logged in full, answered with a generic message, never with its details.
 */
import type { Context } from "hono";
import { SqlError } from "@tenantscope/core/sql-client";

const STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  csrf_failed: 403,
  conflict: 409,
  sql_failed: 502,
  sql_bad_response: 502,
  sql_rate_limited: 503,
  telemetry_failed: 502,
  namespace_failed: 502,
  /** The alert evaluator (the ALERTS binding) failed to answer. */
  alerts_failed: 502,
  /** A change for a tenant the dashboard cannot find: confirm it (force) to save it anyway. */
  unknown_tenant: 409,
  not_configured: 501,
  storage_failed: 503,
  misconfigured: 500,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof STATUS;

export class DashboardError extends Error {
  readonly code: ErrorCode;
  readonly status: (typeof STATUS)[ErrorCode];
  /** Seconds, for 503s that a retry may fix (sent as Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(message, options);
    this.name = "DashboardError";
    this.code = code;
    // The status follows from the code, so the two can never disagree.
    this.status = STATUS[code];
    this.retryAfter = options?.retryAfter;
  }
}

export const badRequest = (message: string): DashboardError => new DashboardError("bad_request", message);
export const forbidden = (message: string): DashboardError => new DashboardError("forbidden", message);

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

const INTERNAL_MESSAGE = "The dashboard failed to handle this request. The error was logged.";

/** A known error as it is shown, or the generic one for a bug (logged here, details never sent). */
export function describeError(error: unknown): DashboardError {
  if (error instanceof DashboardError) return error;
  // The shared SQL client's failures carry the same codes and reader-facing messages.
  if (error instanceof SqlError) return new DashboardError(error.code, error.message, { cause: error, retryAfter: error.retryAfter });
  console.error("tenantscope-dashboard: internal error:", error);
  return new DashboardError("internal_error", INTERNAL_MESSAGE);
}

/** JSON for /api/*, and for clients that ask for it; pages render their own (see views/error.ts). */
export function jsonError(c: Context, error: DashboardError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  const res = c.json(body, error.status);
  if (error.retryAfter !== undefined) res.headers.set("retry-after", String(error.retryAfter));
  return res;
}
