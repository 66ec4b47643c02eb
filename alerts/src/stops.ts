/**
 * A quota rule's stop and its lifting, written to the tenant's assignment through the
 * one audited path (core/src/audit.ts `applyChange`), marked as made by the rule
 * (`rule:<id>`, via `alerts`), exactly as an operator's change would be.
 */
import { applyChange, type AuditKv } from "@tenantscope/core/audit";
import { assignmentRecord, kvKeys, liftedAssignment, parseAssignmentRecord, type TenantAssignment } from "@tenantscope/core/plans";
import type { StopRow } from "./store.ts";

export const VIA = "alerts";
export const actorOf = (rule: string): string => `rule:${rule}`;

async function current(kv: AuditKv, tenant: string, defaultPlan: string): Promise<{ assignment: TenantAssignment; hadRecord: boolean } | null> {
  const text = await kv.get(kvKeys.tenant(tenant));
  if (text === null) return { assignment: { plan: defaultPlan, suspended: false }, hadRecord: false };
  const parsed = parseAssignmentRecord(text);
  return parsed.ok ? { assignment: parsed.value, hadRecord: true } : null;
}

/** `next` null deletes the record (a lift that gives a tenant back to DEFAULT_PLAN). */
function write(kv: AuditKv, stop: StopRow, next: TenantAssignment | null, defaultPlan: string, nowMs: number): Promise<unknown> {
  return applyChange(
    kv,
    {
      actor: actorOf(stop.rule),
      via: VIA,
      action: "assignment",
      key: kvKeys.tenant(stop.tenant),
      value: next === null ? null : assignmentRecord(next),
      fallback: { value: assignmentRecord({ plan: defaultPlan, suspended: false }), source: "default" },
    },
    nowMs,
  );
}

/**
 * Stops the tenant until the period's end. An unreadable assignment is left alone (the
 * dispatcher already applies the restrictive plan to it, and overwriting it would lose
 * the operator's record): the answer says so, and the next run tries again.
 */
export async function stopTenant(kv: AuditKv, stop: StopRow, defaultPlan: string, nowMs: number): Promise<"stopped" | "unreadable"> {
  const read = await current(kv, stop.tenant, defaultPlan);
  if (read === null) return "unreadable";
  const now = read.assignment;
  if (now.stop?.rule === stop.rule && now.stop.until === stop.until) return "stopped";
  const fromDefault = read.hadRecord ? {} : { fromDefault: true };
  await write(kv, stop, { ...now, stop: { until: stop.until, rule: stop.rule, ...fromDefault } }, defaultPlan, nowMs);
  return "stopped";
}

/**
 * Lifts the rule's stop after the period's end. Someone may have lifted or replaced it
 * already (an operator, another rule's later stop): then nothing is written.
 */
export async function liftStop(kv: AuditKv, stop: StopRow, defaultPlan: string, nowMs: number): Promise<"resumed" | "not_ours"> {
  const now = (await current(kv, stop.tenant, defaultPlan))?.assignment;
  if (now?.stop === undefined || now.stop.rule !== stop.rule || now.stop.until !== stop.until) return "not_ours";
  await write(kv, stop, liftedAssignment(now, defaultPlan), defaultPlan, nowMs);
  return "resumed";
}
