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
  /**
   * The tenant had no record before the stop (it followed DEFAULT_PLAN): lifting the stop
   * deletes the record again rather than pinning today's default plan.
   */
  fromDefault?: boolean;
}

/**
 * What a plan brings in, in USD: a monthly fee per tenant on the plan, and optional
 * overage past included amounts. Stored with the plan (`price` in `plan:<name>`); the
 * dispatcher ignores it.
 */
export interface PlanPrice {
  monthly: number;
  includedRequests: number;
  perMillionRequests: number;
  includedCpuMs: number;
  perMillionCpuMs: number;
}

/** A plan record's content: its limits, and its price when one is set. */
export type PlanSpec = PlanLimits & { price?: PlanPrice };

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

export type PlanInvalid = "not_json" | "not_object" | "bad_cpu_ms" | "bad_subrequests" | "bad_price" | "unknown_field";

/** Prices above this are typos, not plans. */
export const MAX_PRICE_USD = 1_000_000;
const PRICE_KEYS = ["monthly", "includedRequests", "perMillionRequests", "includedCpuMs", "perMillionCpuMs"] as const;
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

/** A plan's price: `monthly` required, the rest 0 when absent; amounts in USD, counts whole. */
export function validatePrice(value: unknown): Result<PlanPrice, "bad_price" | "unknown_field"> {
  if (!isRecord(value)) return fail("bad_price", "price must be an object with monthly (USD) and optional overage");
  for (const key of Object.keys(value)) {
    if (!(PRICE_KEYS as readonly string[]).includes(key)) return fail("unknown_field", `unknown price field "${key}" (known: ${PRICE_KEYS.join(", ")})`);
  }
  const money = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_PRICE_USD;
  if (!money(value.monthly)) return fail("bad_price", `price.monthly must be a number of USD from 0 to ${MAX_PRICE_USD}`);
  for (const k of ["perMillionRequests", "perMillionCpuMs"] as const) {
    if (value[k] !== undefined && !money(value[k])) return fail("bad_price", `price.${k} must be a number of USD from 0 to ${MAX_PRICE_USD}`);
  }
  for (const k of ["includedRequests", "includedCpuMs"] as const) {
    if (value[k] !== undefined && !isIntIn(value[k], 0, Number.MAX_SAFE_INTEGER)) return fail("bad_price", `price.${k} must be a whole number, 0 or more`);
  }
  const n = (k: (typeof PRICE_KEYS)[number]): number => (typeof value[k] === "number" ? value[k] : 0);
  return ok({ monthly: n("monthly"), includedRequests: n("includedRequests"), perMillionRequests: n("perMillionRequests"), includedCpuMs: n("includedCpuMs"), perMillionCpuMs: n("perMillionCpuMs") });
}

export function validatePlanLimits(value: unknown): Result<PlanSpec, Exclude<PlanInvalid, "not_json">> {
  if (!isRecord(value)) return fail("not_object", "plan must be a JSON object");
  for (const key of Object.keys(value)) {
    if (key !== "cpuMs" && key !== "subRequests" && key !== "price") return fail("unknown_field", `unknown plan field "${key}"`);
  }
  if (!isIntIn(value.cpuMs, 1, MAX_CPU_MS)) {
    return fail("bad_cpu_ms", `cpuMs must be an integer from 1 to ${MAX_CPU_MS}`);
  }
  if (!isIntIn(value.subRequests, 1, MAX_SUBREQUESTS)) {
    return fail("bad_subrequests", `subRequests must be an integer from 1 to ${MAX_SUBREQUESTS}`);
  }
  if (value.price === undefined || value.price === null) return ok({ cpuMs: value.cpuMs, subRequests: value.subRequests });
  const price = validatePrice(value.price);
  if (!price.ok) return price;
  return ok({ cpuMs: value.cpuMs, subRequests: value.subRequests, price: price.value });
}

export function parsePlanRecord(text: string): Result<PlanSpec, PlanInvalid> {
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
    const known = (k: string): boolean => k === "until" || k === "rule" || k === "fromDefault";
    if (!isRecord(stop) || Number.isNaN(until) || typeof stop.rule !== "string" || Object.keys(stop).some((k) => !known(k)) || (stop.fromDefault !== undefined && typeof stop.fromDefault !== "boolean")) {
      return fail("bad_stop", "stop must be {until: ISO time, rule: rule id, fromDefault?: boolean}");
    }
    const quota: QuotaStop = { until: new Date(until).toISOString(), rule: stop.rule, ...(stop.fromDefault === true ? { fromDefault: true } : {}) };
    return ok({ plan: value.plan, suspended: value.suspended === true, stop: quota });
  }
  return ok({ plan: value.plan, suspended: value.suspended === true });
}

export function parseAssignmentRecord(text: string): Result<TenantAssignment, AssignmentInvalid> {
  const json = parseJson(text);
  return json.ok ? validateAssignment(json.value) : json;
}

/** The `plan:<name>` record, in the one form every reader parses (core/KV.md). */
export function planRecord(plan: PlanSpec): string {
  return JSON.stringify({ cpuMs: plan.cpuMs, subRequests: plan.subRequests, ...(plan.price === undefined ? {} : { price: plan.price }) });
}

/**
 * A change's input over the current record: a limits-only edit keeps the price, a
 * price-only edit keeps the limits, and `price: null` removes the price.
 */
function mergePlanInput(current: PlanSpec | null, input: unknown): unknown {
  if (!isRecord(input) || current === null) return input;
  const merged: Record<string, unknown> = { cpuMs: current.cpuMs, subRequests: current.subRequests, ...(current.price === undefined ? {} : { price: current.price }), ...input };
  if (merged.price === null) delete merged.price;
  return merged;
}

/**
 * An edit of plan `plan` laid over its record as just read (`text`), or over the built-in
 * plan when there is no record. An invalid record is replaced whole, never merged into.
 * `base` is what the edit was laid over (null: nothing, so the edit must be a whole plan).
 */
export function editPlan(plan: string, text: string | null, input: unknown): { base: PlanSpec | null; result: Result<PlanSpec, Exclude<PlanInvalid, "not_json">> } {
  const parsed = text === null ? null : parsePlanRecord(text);
  const base = parsed === null ? (BUILTIN_PLANS[plan] ?? null) : parsed.ok ? parsed.value : null;
  return { base, result: validatePlanLimits(mergePlanInput(base, input)) };
}

/** The `tenant:<name>` record; `suspended` is written only when true, so a resumed tenant's record is `{"plan": ...}`. */
export function assignmentRecord(assignment: TenantAssignment): string {
  return JSON.stringify({
    plan: assignment.plan,
    ...(assignment.suspended ? { suspended: true } : {}),
    ...(assignment.stop !== undefined
      ? { stop: { until: assignment.stop.until, rule: assignment.stop.rule, ...(assignment.stop.fromDefault === true ? { fromDefault: true } : {}) } }
      : {}),
  });
}

/**
 * The assignment once a quota stop is lifted (by the rule after its period, or early by an
 * operator): null, i.e. no record, when the stop gave the tenant its first record and
 * nobody changed its plan since, so it follows DEFAULT_PLAN again instead of pinning it.
 */
export function liftedAssignment(current: TenantAssignment, defaultPlan: string): TenantAssignment | null {
  if (current.stop?.fromDefault === true && current.plan === defaultPlan && !current.suspended) return null;
  return { plan: current.plan, suspended: current.suspended };
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
