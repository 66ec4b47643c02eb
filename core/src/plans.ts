/**
 * Plans, tenant assignments and their KV records. The layout is documented in
 * core/KV.md; this module is the only code that knows the key shapes.
 */
import { isTenantName } from "./names.ts";
import { fail, isRecord, ok, type Result } from "./result.ts";

/** The two limits Workers for Platforms enforces per invocation. */
export interface PlanLimits {
  cpuMs: number;
  subRequests: number;
}

/**
 * A quota rule's stop: the dispatcher answers 429 `quota_exceeded` until `until` (ISO, the
 * billing period's end) and then serves the tenant again by itself, whether or not the
 * evaluator has cleared the record yet. `rule` is the alert rule that stopped it.
 */
export interface QuotaStop {
  until: string;
  rule: string;
}

/** What a tenant's `tenant:<name>` record says. */
export interface TenantAssignment {
  plan: string;
  suspended: boolean;
  stop?: QuotaStop;
}

/** Production caps: 5 min of CPU; subrequests as configurable for paid Workers. */
export const MAX_CPU_MS = 300_000;
export const MAX_SUBREQUESTS = 10_000_000;

/** Used when KV has no `plan:<name>` record for these names. */
export const BUILTIN_PLANS: Readonly<Record<string, PlanLimits>> = Object.freeze({
  free: { cpuMs: 10, subRequests: 10 },
  pro: { cpuMs: 50, subRequests: 100 },
  enterprise: { cpuMs: 500, subRequests: 1000 },
});

/** Applied when KV fails or a record is unusable: the tightest built-in plan. */
export const RESTRICTIVE_PLAN = "free";

export const kvKeys = {
  plan: (plan: string) => `plan:${plan}`,
  tenant: (tenant: string) => `tenant:${tenant}`,
  host: (host: string) => `host:${host}`,
  planPrefix: "plan:",
  tenantPrefix: "tenant:",
  hostPrefix: "host:",
} as const;

export type PlanInvalid = "not_json" | "not_object" | "bad_cpu_ms" | "bad_subrequests" | "unknown_field";
export type AssignmentInvalid = "not_json" | "not_object" | "bad_plan" | "bad_suspended" | "bad_stop" | "unknown_field";

function parseJson(text: string): Result<unknown, "not_json"> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail("not_json", "record is not valid JSON");
  }
}

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** Plan names share the tenant-name rules, so they are safe in URLs, KV keys and SQL. */
export function isPlanName(name: string): boolean {
  return isTenantName(name);
}

export function validatePlanLimits(value: unknown): Result<PlanLimits, Exclude<PlanInvalid, "not_json">> {
  if (!isRecord(value)) return fail("not_object", "plan must be a JSON object");
  for (const key of Object.keys(value)) {
    if (key !== "cpuMs" && key !== "subRequests") return fail("unknown_field", `unknown plan field "${key}"`);
  }
  if (!isIntIn(value.cpuMs, 1, MAX_CPU_MS)) {
    return fail("bad_cpu_ms", `cpuMs must be an integer from 1 to ${MAX_CPU_MS}`);
  }
  if (!isIntIn(value.subRequests, 1, MAX_SUBREQUESTS)) {
    return fail("bad_subrequests", `subRequests must be an integer from 1 to ${MAX_SUBREQUESTS}`);
  }
  return ok({ cpuMs: value.cpuMs, subRequests: value.subRequests });
}

export function parsePlanRecord(text: string): Result<PlanLimits, PlanInvalid> {
  const json = parseJson(text);
  return json.ok ? validatePlanLimits(json.value) : json;
}

export function validateAssignment(value: unknown): Result<TenantAssignment, Exclude<AssignmentInvalid, "not_json">> {
  if (!isRecord(value)) return fail("not_object", "assignment must be a JSON object");
  for (const key of Object.keys(value)) {
    if (key !== "plan" && key !== "suspended" && key !== "stop") return fail("unknown_field", `unknown assignment field "${key}"`);
  }
  if (typeof value.plan !== "string" || !isPlanName(value.plan)) {
    return fail("bad_plan", "plan must be a plan name (lower-case letters, digits and dashes)");
  }
  if (value.suspended !== undefined && typeof value.suspended !== "boolean") {
    return fail("bad_suspended", "suspended must be true or false");
  }
  if (value.stop !== undefined) {
    const stop = value.stop;
    const until = isRecord(stop) && typeof stop.until === "string" ? Date.parse(stop.until) : Number.NaN;
    if (!isRecord(stop) || Number.isNaN(until) || typeof stop.rule !== "string" || Object.keys(stop).some((k) => k !== "until" && k !== "rule")) {
      return fail("bad_stop", "stop must be {until: ISO time, rule: rule id}");
    }
    return ok({ plan: value.plan, suspended: value.suspended === true, stop: { until: new Date(until).toISOString(), rule: stop.rule } });
  }
  return ok({ plan: value.plan, suspended: value.suspended === true });
}

export function parseAssignmentRecord(text: string): Result<TenantAssignment, AssignmentInvalid> {
  const json = parseJson(text);
  return json.ok ? validateAssignment(json.value) : json;
}

/** The `plan:<name>` record, in the one form every reader parses (core/KV.md). */
export function planRecord(limits: PlanLimits): string {
  return JSON.stringify({ cpuMs: limits.cpuMs, subRequests: limits.subRequests });
}

/** The `tenant:<name>` record; `suspended` is written only when true, so a resumed tenant's record is `{"plan": ...}`. */
export function assignmentRecord(assignment: TenantAssignment): string {
  return JSON.stringify({
    plan: assignment.plan,
    ...(assignment.suspended ? { suspended: true } : {}),
    ...(assignment.stop !== undefined ? { stop: { until: assignment.stop.until, rule: assignment.stop.rule } } : {}),
  });
}

/** Header form of the limits that applied, read back by the tail. */
export function formatLimitsHeader(limits: PlanLimits): string {
  return JSON.stringify({ cpuMs: limits.cpuMs, subRequests: limits.subRequests });
}

export function parseLimitsHeader(value: string | null): PlanLimits | null {
  if (value === null) return null;
  const parsed = parsePlanRecord(value);
  return parsed.ok ? parsed.value : null;
}
