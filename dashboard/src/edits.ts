/**
 * Plan and assignment changes: validated with core's validators, written through the
 * one audit log in the plans KV (core/src/audit.ts: who, when, via, old and new), in
 * core/KV.md's formats.
 */
import { AUDIT_SCAN, applyChange, deletedOutside, readLog, type AuditChange, type AuditEntry } from "@tenantscope/core/audit";
import { BUILTIN_PLANS, assignmentRecord, kvKeys, liftedAssignment, editPlan, planRecord, validateAssignment, type TenantAssignment } from "@tenantscope/core/plans";
import { bindingKv } from "./audit.ts";
import type { Principal } from "./auth/users.ts";
import { DashboardError, badRequest, forbidden } from "./errors.ts";
import { defaultPlan } from "./config.ts";
import { readAssignment, readPlan, type AssignmentView } from "./kv.ts";

/** What the edits touch: plans and assignments in KV, through the audit log. */
type EditsEnv = Pick<Env, "PLANS" | "DEFAULT_PLAN">;

/** Form fields arrive as strings: digits become numbers; anything else is left for the validator to name. */
function formNumber(value: unknown): unknown {
  return typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : value;
}

export function planInput(form: Record<string, unknown>): unknown {
  return { cpuMs: formNumber(form.cpuMs), subRequests: formNumber(form.subRequests) };
}

const PRICE_FIELDS = ["monthly", "includedRequests", "perMillionRequests", "includedCpuMs", "perMillionCpuMs"] as const;

/** The price form: blank fields are left out (0), decimals become numbers; an empty monthly fee removes the price. */
export function priceInput(form: Record<string, unknown>): { price: unknown } {
  if (typeof form.monthly === "string" && form.monthly.trim() === "") return { price: null };
  const price: Record<string, unknown> = {};
  for (const name of PRICE_FIELDS) {
    const v = typeof form[name] === "string" ? form[name].trim().replace(/^\$/, "") : form[name];
    if (v === "") continue;
    price[name] = typeof v === "string" && /^\d{1,15}(\.\d{1,6})?$/.test(v) ? Number(v) : v;
  }
  return { price };
}

export function assignmentInput(form: Record<string, unknown>): unknown {
  return { plan: form.plan, suspended: form.suspended === "true" || form.suspended === "on" };
}

async function record(env: EditsEnv, change: Omit<AuditChange, "via">): Promise<AuditEntry> {
  try {
    return await applyChange(bindingKv(env.PLANS), { ...change, via: "dashboard" });
  } catch (error) {
    // A refusal of the value computed from the record read is the caller's error, not storage's.
    if (error instanceof DashboardError) throw error;
    throw new DashboardError("storage_failed", "The change could not be saved (KV or the audit log failed); nothing was recorded. Try again.", { cause: error });
  }
}

export function assertCanEditPlans(principal: Principal): void {
  if (principal.tenant !== null) throw forbidden("A plan is shared by many tenants; an operator scoped to one tenant cannot change it.");
}

/**
 * Saves a plan. The input is laid over the current record (core's editPlan): a
 * limits-only edit keeps the price, a price-only edit keeps the limits. The record is
 * read once, by the audited change itself.
 */
export async function savePlan(env: EditsEnv, principal: Principal, plan: string, input: unknown): Promise<AuditEntry> {
  assertCanEditPlans(principal);
  const builtin = BUILTIN_PLANS[plan];
  const fallback = builtin === undefined ? null : { value: planRecord(builtin), source: "builtin" as const };
  const value = (text: string | null): string => {
    const limits = editPlan(plan, text, input).result;
    if (!limits.ok) throw badRequest(`Plan "${plan}" was not saved: ${limits.message}.`);
    return planRecord(limits.value);
  };
  return record(env, { actor: principal.user, action: "plan", key: kvKeys.plan(plan), value, fallback });
}

/**
 * An operator scoped to one tenant may move it between the built-in plans (or keep its
 * plan), but suspension is the platform's call, and a custom plan may be made for
 * another customer: both stay with operators of the whole platform.
 */
async function checkScopedChange(current: AssignmentView, tenant: string, next: TenantAssignment): Promise<void> {
  if (JSON.stringify(next.stop ?? null) !== JSON.stringify(current.stop ?? null)) {
    throw forbidden(`Only an operator of the whole platform can change the quota stop of "${tenant}".`);
  }
  if (next.suspended !== current.suspended) {
    throw forbidden(`Only an operator of the whole platform can ${next.suspended ? "suspend" : "resume"} "${tenant}".`);
  }
  if (next.plan !== current.plan && !Object.hasOwn(BUILTIN_PLANS, next.plan)) {
    throw forbidden(`An operator scoped to one tenant can choose a built-in plan (${Object.keys(BUILTIN_PLANS).join(", ")}), not "${next.plan}".`);
  }
}

/** Checks that the tenant exists (routes/guard.ts); throws to refuse. */
export type TenantGuard = (tenant: string) => Promise<void>;

export async function saveAssignment(env: EditsEnv, principal: Principal, tenant: string, input: unknown, guard: TenantGuard): Promise<AuditEntry> {
  if (principal.tenant !== null && principal.tenant !== tenant) throw forbidden(`You can only change tenant "${principal.tenant}".`);
  const assignment = validateAssignment(input);
  if (!assignment.ok) throw badRequest(`The assignment of "${tenant}" was not saved: ${assignment.message}.`);
  // An unknown plan would make the dispatcher fall back to the restrictive plan: refuse it here.
  const plan = await readPlan(env.PLANS, assignment.value.plan);
  if (plan === null || plan.limits === null) throw badRequest(`There is no plan "${assignment.value.plan}"; create it on the plans page first.`);
  const current = await readAssignment(env.PLANS, tenant, defaultPlan(env));
  // A quota rule's stop is the rule's to end (or liftStop's): a plan or suspension change keeps it.
  const next = assignment.value.stop === undefined && current.stop !== undefined ? { ...assignment.value, stop: current.stop } : assignment.value;
  if (principal.tenant !== null) await checkScopedChange(current, tenant, next);
  await guard(tenant);
  const fallback = { value: assignmentRecord({ plan: defaultPlan(env), suspended: false }), source: "default" as const };
  return record(env, { actor: principal.user, action: "assignment", key: kvKeys.tenant(tenant), value: assignmentRecord(next), fallback });
}

/** Ends a quota rule's stop before its period does (operators of the whole platform); the evaluator stops a tenant once per rule and period, so the lift holds until the period ends. */
export async function liftStop(env: EditsEnv, principal: Principal, tenant: string): Promise<AuditEntry | null> {
  if (principal.tenant !== null) throw forbidden(`Only an operator of the whole platform can lift the quota stop of "${tenant}".`);
  const current = await readAssignment(env.PLANS, tenant, defaultPlan(env));
  if (current.source !== "kv" || current.stop === undefined) return null;
  const lifted = liftedAssignment(current, defaultPlan(env));
  const value = lifted === null ? null : assignmentRecord(lifted);
  return record(env, { actor: principal.user, action: "assignment", key: kvKeys.tenant(tenant), value, fallback: null });
}

/**
 * The audit log as the Plans page shows it: the newest `limit` entries a principal may
 * see, and, for operators of the whole platform, the records deleted straight from KV
 * since tenantscope wrote them (core's deletedOutside), from the same single read.
 */
export async function auditView(env: EditsEnv, principal: Principal, limit: number): Promise<{ entries: AuditEntry[]; deleted: AuditEntry[] }> {
  if (principal.tenant !== null) return { entries: await auditEntries(env, principal, limit), deleted: [] };
  try {
    const kv = bindingKv(env.PLANS);
    const log = await readLog(kv, AUDIT_SCAN);
    return { entries: log.slice(0, limit), deleted: await deletedOutside(kv, log) };
  } catch (error) {
    throw new DashboardError("storage_failed", "The audit log could not be read. Try again in a moment.", { cause: error });
  }
}

export async function auditEntries(env: EditsEnv, principal: Principal, limit: number): Promise<AuditEntry[]> {
  const own = principal.tenant === null ? null : kvKeys.tenant(principal.tenant);
  try {
    return await readLog(bindingKv(env.PLANS), Math.min(Math.max(1, Math.trunc(limit)), 500), (e) => own === null || e.key === own);
  } catch (error) {
    throw new DashboardError("storage_failed", "The audit log could not be read. Try again in a moment.", { cause: error });
  }
}
