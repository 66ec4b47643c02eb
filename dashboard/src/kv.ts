/**
 * Plans and assignments in the PLANS KV, read and written in exactly the formats of
 * core/src/plans.ts (core/KV.md), so the dispatcher reads what the dashboard writes.
 */
import {
  BUILTIN_PLANS,
  RESTRICTIVE_PLAN,
  kvKeys,
  parseAssignmentRecord,
  parsePlanRecord,
  type PlanSpec,
  type QuotaStop,
} from "@tenantscope/core/plans";
import { changedOutside } from "@tenantscope/core/audit";
import { DashboardError } from "./errors.ts";

/** The PLANS binding as generated; reads only (writes go through the audit log, audit.ts). */
type PlansKV = Env["PLANS"];

/** Plans are few; more than this many `plan:` records is a sign of something else. */
const MAX_PLANS = 200;

async function kvCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new DashboardError("storage_failed", `Could not ${what} in the PLANS KV namespace. Try again in a moment.`, { cause: error });
  }
}

export interface PlanEntry {
  plan: string;
  /** The limits, with the price when the record has one. */
  limits: PlanSpec | null;
  /** "kv": a record; "builtin": no record, a built-in default; "invalid": a record the dispatcher ignores. */
  source: "kv" | "builtin" | "invalid";
  problem?: string;
  /** The record was not written through tenantscope (core/src/audit.ts). */
  outside?: boolean;
}

export async function readPlan(kv: PlansKV, plan: string): Promise<PlanEntry | null> {
  const { value: text, metadata } = await kvCall(`read plan "${plan}"`, () => kv.getWithMetadata(kvKeys.plan(plan)));
  if (text !== null) {
    const parsed = parsePlanRecord(text);
    const outside = await changedOutside(text, metadata);
    if (parsed.ok) return { plan, limits: parsed.value, source: "kv", outside };
    // The dispatcher falls back to the built-in (if any) for an invalid record; show both facts.
    const builtin = BUILTIN_PLANS[plan];
    return { plan, limits: builtin ?? null, source: "invalid", problem: parsed.message, outside };
  }
  const builtin = BUILTIN_PLANS[plan];
  return builtin === undefined ? null : { plan, limits: builtin, source: "builtin" };
}

export async function listPlans(kv: PlansKV): Promise<PlanEntry[]> {
  const names = new Set(Object.keys(BUILTIN_PLANS));
  let cursor: string | undefined;
  do {
    const page = await kvCall("list plans", () => kv.list({ prefix: kvKeys.planPrefix, ...(cursor === undefined ? {} : { cursor }) }));
    for (const key of page.keys) names.add(key.name.slice(kvKeys.planPrefix.length));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined && names.size < MAX_PLANS);
  const entries = await Promise.all([...names].sort().map((name) => readPlan(kv, name)));
  return entries.filter((e): e is PlanEntry => e !== null);
}

export interface AssignmentView {
  plan: string;
  suspended: boolean;
  /** A quota rule's stop, as recorded (it holds only while `until` is ahead). */
  stop?: QuotaStop;
  /** "kv": the tenant's record; "default": no record, so DEFAULT_PLAN; "invalid": the dispatcher applies the restrictive plan. */
  source: "kv" | "default" | "invalid";
  problem?: string;
  /** The record was not written through tenantscope (core/src/audit.ts). */
  outside?: boolean;
}

export async function readAssignment(kv: PlansKV, tenant: string, defaultPlan: string): Promise<AssignmentView> {
  const { value: text, metadata } = await kvCall(`read the assignment of "${tenant}"`, () => kv.getWithMetadata(kvKeys.tenant(tenant)));
  if (text === null) return { plan: defaultPlan, suspended: false, source: "default" };
  const outside = await changedOutside(text, metadata);
  const parsed = parseAssignmentRecord(text);
  if (!parsed.ok) return { plan: RESTRICTIVE_PLAN, suspended: false, source: "invalid", problem: parsed.message, outside };
  return { ...parsed.value, source: "kv", outside };
}
