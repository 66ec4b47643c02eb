/**
 * One TraceItem → one row of `tenant_invocations`. Pure and synchronous: the
 * plan fallback (a KV lookup) is resolved by the caller and passed in.
 *
 * The input is read as `unknown`, field by field: over RPC the traces arrive
 * as plain JSON (TraceItems cannot be cloned), and a truncated or malformed
 * trace may lack any field. A missing field becomes "" or 0, never a throw.
 */
import { DEFAULT_CUSTOMER_PREFIX, customerFromTags } from "@tenantscope/core/customers";
import { HEADER_LIMITS, HEADER_PLAN, HEADER_PLAN_SOURCE } from "@tenantscope/core/names";
import { parseLimitsHeader, type PlanLimits } from "@tenantscope/core/plans";
import { isRecord as isObj } from "@tenantscope/core/result";
import { emptyRow, type EventType, type InvocationRow, type PlanSource, type Violation } from "@tenantscope/core/schema";
import { addErrorFields } from "./errors.ts";

/** What the plan resolver says for a tenant, when the trace does not carry it. */
export interface PlanInfo {
  plan: string;
  limits: PlanLimits;
  source: PlanSource;
}

export type PlanFallback = (tenant: string) => PlanInfo | undefined;

export type TraceRead =
  | { kind: "tenant"; row: InvocationRow }
  /** No `dispatchNamespace`: not a tenant invocation (e.g. the dispatcher's own trace). */
  | { kind: "not_tenant"; scriptName: string };

/** Stored when a trace has no script name, so its invocation still counts. */
export const UNKNOWN_TENANT = "(unknown)";
export const SUBREQUEST_MESSAGE_PREFIX = "Too many subrequests";

type Obj = Record<string, unknown>;


function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Non-negative finite number, else 0: runtimes report 0 for unknown timings. */
function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The tenant's name, if this trace is a tenant invocation at all. */
export function traceTenant(trace: unknown): string | null {
  if (!isObj(trace) || str(trace.dispatchNamespace) === "") return null;
  return str(trace.scriptName) || UNKNOWN_TENANT;
}

/** Event type from the event's shape: the runtime sends no type tag, and RPC delivers plain objects. */
export function eventTypeOf(event: unknown): EventType {
  if (event === null || event === undefined) return "unknown";
  if (!isObj(event)) return "other";
  if ("request" in event) return "fetch";
  if ("rpcMethod" in event) return "rpc";
  if ("cron" in event) return "scheduled";
  if ("queue" in event) return "queue";
  if ("mailFrom" in event || "rcptTo" in event) return "email";
  if ("consumedEvents" in event) return "tail";
  // Alarms carry only `scheduledTime`; scheduled events also carry `cron`, tested above.
  if ("scheduledTime" in event) return "alarm";
  // Hibernation and WebSocket events: tested by name, since real TraceItem
  // events expose fields as prototype getters and have no own keys.
  if ("reason" in event || "getWebSocketEvent" in event) return "other";
  // Custom (and connect) events are empty objects.
  if (Object.keys(event).length === 0) return "custom";
  return "other";
}

/** A short, non-sensitive detail of the event: RPC method, cron, queue name. */
function eventDetailOf(event: unknown): string {
  if (!isObj(event)) return "";
  return str(event.rpcMethod) || str(event.cron) || str(event.queue);
}

interface Exception {
  name: string;
  message: string;
}

function exceptionsOf(trace: Obj): Exception[] {
  return list(trace.exceptions).filter(isObj).map((e) => ({ name: str(e.name), message: str(e.message) }));
}

export function violationOf(outcome: string, exceptions: readonly Exception[]): Violation {
  if (outcome === "exceededCpu") return "cpu";
  if (outcome === "exceededMemory") return "memory";
  if (exceptions.some((e) => e.message.startsWith(SUBREQUEST_MESSAGE_PREFIX))) return "subrequests";
  return "none";
}

/** Header lookup without assuming the case the runtime used for keys. */
function header(headers: unknown, name: string): string | null {
  if (!isObj(headers)) return null;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value;
  }
  return null;
}

/** Plan and limits as the dispatcher stamped them on the request, if both are there and valid. */
export function planFromEvent(event: unknown): PlanInfo | null {
  if (!isObj(event) || !isObj(event.request)) return null;
  const headers = event.request.headers;
  const plan = header(headers, HEADER_PLAN);
  const limits = parseLimitsHeader(header(headers, HEADER_LIMITS));
  if (plan === null || plan === "" || limits === null) return null;
  return { plan, limits, source: header(headers, HEADER_PLAN_SOURCE) === "fallback" ? "fallback" : "header" };
}

function versionOf(v: unknown): string {
  return isObj(v) ? str(v.id) || str(v.tag) : "";
}

/** `customerPrefix`: the tag prefix naming the tenant's customer (core/src/customers.ts). */
export function traceToRow(trace: unknown, planFallback: PlanFallback, customerPrefix = DEFAULT_CUSTOMER_PREFIX): TraceRead {
  const tenant = traceTenant(trace);
  if (!isObj(trace) || tenant === null) {
    return { kind: "not_tenant", scriptName: isObj(trace) ? str(trace.scriptName) : "" };
  }
  const event = trace.event;
  // `outcome` is an open string: unknown values are kept exactly as sent.
  const outcome = str(trace.outcome) || "unknown";
  const exceptions = exceptionsOf(trace);
  const violation = violationOf(outcome, exceptions);
  // The exception that explains the violation, else the last one (the one that ended the invocation).
  const shown =
    (violation === "subrequests" ? exceptions.find((e) => e.message.startsWith(SUBREQUEST_MESSAGE_PREFIX)) : undefined) ??
    exceptions.at(-1);
  const plan = planFromEvent(event) ?? planFallback(tenant);
  const request = isObj(event) && isObj(event.request) ? event.request : {};
  const response = isObj(event) && isObj(event.response) ? event.response : {};

  const row = emptyRow();
  row.tenant = tenant;
  row.namespace = str(trace.dispatchNamespace);
  row.customer = customerFromTags(trace.scriptTags, customerPrefix);
  row.plan = plan?.plan ?? "";
  row.planSource = plan?.source ?? "none";
  row.outcome = outcome;
  row.eventType = eventTypeOf(event);
  row.eventDetail = eventDetailOf(event);
  row.method = str(request.method);
  row.violation = violation;
  row.exceptionName = shown?.name ?? "";
  row.exceptionMessage = shown?.message ?? "";
  row.scriptVersion = versionOf(trace.scriptVersion);
  row.entrypoint = str(trace.entrypoint);
  row.pointKind = "single";
  row.invocations = 1;
  row.cpuMs = num(trace.cpuTime);
  row.wallMs = num(trace.wallTime);
  row.status = num(response.status);
  row.cpuLimitMs = plan?.limits.cpuMs ?? 0;
  row.subrequestLimit = plan?.limits.subRequests ?? 0;
  const logs = list(trace.logs);
  row.logCount = logs.length;
  row.exceptionCount = exceptions.length;
  row.truncated = trace.truncated === true ? 1 : 0;
  addErrorFields(row, logs);
  return { kind: "tenant", row };
}
