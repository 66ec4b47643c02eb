/**
 * What a tenant invocation's client received, and the error fields of a non-ok one:
 * the dispatcher passes a tenant's response through untouched, and turns a throw into
 * 500 `tenant_exception` and a limit into 503 (dispatcher/src/errors.ts). So the
 * status follows from the trace, with no second write from the dispatcher.
 */
import { errorGroupId, normaliseMessage } from "@tenantscope/core/error-groups";
import { buildExcerpt } from "@tenantscope/core/log-excerpt";
import { AE_LIMITS, type InvocationRow } from "@tenantscope/core/schema";

export interface ClientAnswer {
  /** 0: no HTTP client (not a fetch event), or the client went away before an answer. */
  status: number;
  /** The dispatcher's code for an answer it made from the tenant's failure; "" for the tenant's own response. */
  code: string;
}

type Read = Pick<InvocationRow, "eventType" | "outcome" | "violation" | "status">;

/** Outcomes after which the client got nothing: it had gone. */
const CLIENT_GONE = new Set(["canceled", "responseStreamDisconnected"]);

export function clientAnswerOf(row: Read): ClientAnswer {
  if (row.eventType !== "fetch") return { status: 0, code: "" };
  // A response was sent before anything failed: that is what the client got.
  if (row.status > 0) return { status: row.status, code: "" };
  if (row.violation === "cpu") return { status: 503, code: "cpu_limit_exceeded" };
  if (row.violation === "subrequests") return { status: 503, code: "subrequest_limit_exceeded" };
  if (row.outcome === "ok" || CLIENT_GONE.has(row.outcome)) return { status: 0, code: "" };
  if (row.outcome === "scriptNotFound") return { status: 404, code: "tenant_not_found" };
  // Any other failure reaches the dispatcher as a thrown error (exceededMemory included).
  return { status: 500, code: "tenant_exception" };
}

/** An invocation support wants grouped: not ok, answered 5xx, or with an uncaught exception. */
export function isErrorRow(row: Pick<InvocationRow, "outcome" | "clientStatus" | "exceptionName" | "exceptionMessage">): boolean {
  return row.outcome !== "ok" || row.clientStatus >= 500 || row.exceptionName !== "" || row.exceptionMessage !== "";
}

/** The group of an error (core/error-groups): code, outcome, name, normalised message, version. */
export function groupOf(row: Pick<InvocationRow, "errorCode" | "outcome" | "exceptionName" | "messageKey" | "scriptVersion">): string {
  return errorGroupId({ code: row.errorCode, outcome: row.outcome, name: row.exceptionName, messageKey: row.messageKey, version: row.scriptVersion });
}

/** Fills clientStatus and errorCode, and for an error its group, message key and log excerpt. */
export function addErrorFields(row: InvocationRow, logs: readonly unknown[]): void {
  const answer = clientAnswerOf(row);
  row.clientStatus = answer.status;
  row.errorCode = answer.code;
  if (!isErrorRow(row)) return;
  row.messageKey = normaliseMessage(row.exceptionMessage);
  row.errorGroup = groupOf(row);
  // Bounded here so a 10 000-line trace costs little; toDataPoint cuts it to what is left of the 16 KB.
  row.logExcerpt = buildExcerpt(logs, AE_LIMITS.blobBytesTotal);
}
