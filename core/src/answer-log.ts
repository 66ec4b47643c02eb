/**
 * The dispatcher's answer log line: one structured console line for each request the
 * dispatcher answers itself (unknown tenant, suspended, invalid name, routing or
 * dispatcher faults), so that nothing in the dispatcher knows Analytics Engine. The
 * Tail Worker, a tail consumer of the dispatcher, reads these lines from the
 * dispatcher's traces (tail-worker/src/answers.ts) and writes them as points of kind
 * `dispatcher`. Requests that reached a tenant get no line: the tenant's trace says
 * what the client got.
 */
import { isRecord } from "./result.ts";

/** Every answer line starts with exactly this, so other log lines are skipped cheaply. */
export const ANSWER_LINE_START = '{"tenantscope":"answer"';
export const ANSWER_LINE_VERSION = 1;

export interface Answer {
  /** The tenant the request named (null when routing found none); may be an invalid name. */
  tenant: string | null;
  status: number;
  /** The dispatcher's error code (DESIGN.md, dispatcher/src/errors.ts). */
  code: string;
  method: string;
  message: string;
}

const MAX_TENANT_CHARS = 128;
const MAX_MESSAGE_CHARS = 1024;
const CODE_RE = /^[a-z][a-z_]{0,63}$/;
const METHOD_RE = /^[A-Za-z-]{1,16}$/;

export function formatAnswerLine(a: Answer): string {
  return JSON.stringify({
    tenantscope: "answer",
    v: ANSWER_LINE_VERSION,
    tenant: a.tenant === null ? null : a.tenant.slice(0, MAX_TENANT_CHARS),
    status: a.status,
    code: a.code,
    method: a.method.slice(0, 16),
    message: a.message.slice(0, MAX_MESSAGE_CHARS),
  });
}

export type AnswerParse = { kind: "answer"; answer: Answer } | { kind: "other" } | { kind: "malformed"; reason: string };

/** A console line → the answer it records, "other" for any other line, "malformed" for a broken answer line. */
export function parseAnswerLine(line: unknown): AnswerParse {
  if (typeof line !== "string" || !line.startsWith(ANSWER_LINE_START)) return { kind: "other" };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: "malformed", reason: "not JSON" };
  }
  if (!isRecord(value)) return { kind: "malformed", reason: "not an object" };
  if (value.v !== ANSWER_LINE_VERSION) return { kind: "malformed", reason: `unknown version ${JSON.stringify(value.v)}` };
  const { tenant, status, code, method, message } = value;
  if (tenant !== null && (typeof tenant !== "string" || tenant.length > MAX_TENANT_CHARS)) return { kind: "malformed", reason: "bad tenant" };
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) return { kind: "malformed", reason: "bad status" };
  if (typeof code !== "string" || !CODE_RE.test(code)) return { kind: "malformed", reason: "bad code" };
  if (typeof method !== "string" || !METHOD_RE.test(method)) return { kind: "malformed", reason: "bad method" };
  if (typeof message !== "string" || message.length > MAX_MESSAGE_CHARS) return { kind: "malformed", reason: "bad message" };
  return { kind: "answer", answer: { tenant, status, code, method: method.toUpperCase(), message } };
}
