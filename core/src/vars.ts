/**
 * The vars every Worker that resolves plans shares (`DEFAULT_PLAN`,
 * `PLAN_CACHE_TTL_SECONDS`), parsed by one set of rules. What a Worker does with
 * a bad value is its own policy: the dispatcher fails closed, the tail (which
 * must never fail) logs and uses `PLAN_VARS_FALLBACK`.
 */
import { isPlanName } from "./plans.ts";
import { fail, ok, type Result } from "./result.ts";

export interface PlanVars {
  DEFAULT_PLAN?: string;
  PLAN_CACHE_TTL_SECONDS?: string;
}

export interface PlanSettings {
  /** The plan of tenants without a `tenant:` record. */
  defaultPlan: string;
  ttlMs: number;
}

export type PlanVarsInvalid = "bad_default_plan" | "bad_ttl";

/** What the production configs set; used only where a Worker must keep going on a bad value. */
export const PLAN_VARS_FALLBACK: Readonly<PlanSettings> = Object.freeze({ defaultPlan: "free", ttlMs: 30_000 });

// A regex rather than Number() alone: Number("") is 0, which would silently turn caching off.
const SECONDS_RE = /^\d+(\.\d+)?$/;

export function parseDefaultPlan(value: string | undefined): Result<string, "bad_default_plan"> {
  const plan = (value ?? "").trim();
  if (!isPlanName(plan)) return fail("bad_default_plan", `DEFAULT_PLAN ${JSON.stringify(value)} is not a plan name`);
  return ok(plan);
}

export function parseCacheTtl(value: string | undefined): Result<number, "bad_ttl"> {
  const ttl = (value ?? "").trim();
  if (!SECONDS_RE.test(ttl)) return fail("bad_ttl", `PLAN_CACHE_TTL_SECONDS ${JSON.stringify(value)} is not a number of seconds`);
  return ok(Math.round(Number(ttl) * 1000));
}

export function parsePlanVars(vars: PlanVars): Result<PlanSettings, PlanVarsInvalid> {
  const defaultPlan = parseDefaultPlan(vars.DEFAULT_PLAN);
  if (!defaultPlan.ok) return defaultPlan;
  const ttl = parseCacheTtl(vars.PLAN_CACHE_TTL_SECONDS);
  if (!ttl.ok) return ttl;
  return ok({ defaultPlan: defaultPlan.value, ttlMs: ttl.value });
}
