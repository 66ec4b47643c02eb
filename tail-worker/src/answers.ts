/**
 * The dispatcher's traces → points of kind `dispatcher`: one per answer line it
 * logged (core/answer-log), for the requests no tenant saw. Only traces without
 * `dispatchNamespace` are read here, so a tenant cannot forge an answer by printing
 * one. A malformed answer line is reported and skipped, never thrown.
 */
import { parseAnswerLine, type Answer } from "@tenantscope/core/answer-log";
import { normaliseMessage } from "@tenantscope/core/error-groups";
import { isTenantName } from "@tenantscope/core/names";
import { isRecord } from "@tenantscope/core/result";
import { INVALID_TENANT, UNROUTED_TENANT, emptyRow, type InvocationRow } from "@tenantscope/core/schema";
import { groupOf } from "./errors.ts";

export interface AnswersRead {
  rows: InvocationRow[];
  /** Why each broken answer line was skipped. */
  malformed: string[];
}

function tenantOf(requested: string | null): string {
  if (requested === null) return UNROUTED_TENANT;
  return isTenantName(requested) ? requested : INVALID_TENANT;
}

export function answerRow(a: Answer): InvocationRow {
  const row = emptyRow();
  row.tenant = tenantOf(a.tenant);
  row.planSource = "none";
  row.eventType = "fetch";
  row.method = a.method;
  row.violation = "none";
  row.exceptionMessage = a.message;
  row.pointKind = "dispatcher";
  row.dispatcherAnswers = 1;
  row.clientStatus = a.status;
  row.errorCode = a.code;
  row.messageKey = normaliseMessage(a.message);
  row.errorGroup = groupOf(row);
  return row;
}

/** The answer lines of one non-tenant trace (the dispatcher's, when the tail is attached there). */
export function answerRows(trace: unknown): AnswersRead {
  const read: AnswersRead = { rows: [], malformed: [] };
  const logs = isRecord(trace) && Array.isArray(trace.logs) ? trace.logs : [];
  for (const entry of logs) {
    if (!isRecord(entry)) continue;
    const message = entry.message;
    const parsed = parseAnswerLine(Array.isArray(message) ? message[0] : message);
    if (parsed.kind === "answer") read.rows.push(answerRow(parsed.answer));
    else if (parsed.kind === "malformed") read.malformed.push(parsed.reason);
  }
  return read;
}
