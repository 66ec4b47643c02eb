/**
 * Plans and tenant assignments in the plans KV namespace, through the KV REST API
 * (the local one or Cloudflare's). Records are written and read only through
 * core/src/plans.ts, so the dispatcher and the tail read exactly what we write, and
 * every write goes through the one audit log in the same namespace (core/src/audit.ts).
 */
import { hostname } from "node:os";
import { applyChange, type AuditEntry, type AuditKv } from "@tenantscope/core/audit";
import {
  BUILTIN_PLANS,
  assignmentRecord,
  editPlan,
  isPlanName,
  kvKeys,
  parseAssignmentRecord,
  parsePlanRecord,
  planRecord,
  validateAssignment,
  type PlanSpec,
  type TenantAssignment,
} from "@tenantscope/core/plans";
import { ApiFailure, CliError, UsageError } from "./errors.ts";
import { paths, type ApiClient } from "./api.ts";
import type { Env } from "./target.ts";

const KV_KEY_NOT_FOUND = 10009;
/** The dispatcher's DEFAULT_PLAN in dispatcher/wrangler.jsonc. */
export const DISPATCHER_DEFAULT_PLAN = "free";

/** Who the audit log names: TENANTSCOPE_ACTOR, else user@host; through TENANTSCOPE_VIA (an automation's name), else "cli". */
export function auditIdentity(env: Env): { actor: string; via: string } {
  const user = env.USER ?? env.USERNAME ?? "unknown";
  return { actor: env.TENANTSCOPE_ACTOR?.trim() || `${user}@${hostname()}`, via: env.TENANTSCOPE_VIA?.trim() || "cli" };
}

export class PlansStore implements AuditKv {
  private readonly api: ApiClient;
  private readonly id: string;
  private readonly who: { actor: string; via: string };
  /** The dispatcher's DEFAULT_PLAN as this CLI knows it (TENANTSCOPE_DEFAULT_PLAN). */
  readonly defaultPlan: string;

  constructor(api: ApiClient, env: Env = {}) {
    const id = api.target.plansKvId;
    if (id === null) {
      throw new CliError("plans live in KV: set TENANTSCOPE_PLANS_KV_ID to the id of the KV namespace bound as PLANS");
    }
    this.api = api;
    this.id = id;
    this.who = auditIdentity(env);
    this.defaultPlan = env.TENANTSCOPE_DEFAULT_PLAN ?? DISPATCHER_DEFAULT_PLAN;
  }

  /** The value and its metadata (a second call: the value's GET returns bytes only). */
  async getWithMetadata(key: string): Promise<{ value: string | null; metadata: unknown }> {
    const value = await this.get(key);
    if (value === null) return { value, metadata: null };
    const meta = await this.api.call<unknown>("GET", paths.kvMetadata(this.id, key));
    return { value, metadata: meta.result };
  }

  /** Keys with their metadata: one page (the audit log reads its newest entries). */
  async list(prefix: string, limit: number): Promise<{ name: string; metadata: unknown }[]> {
    const page = await this.api.call<{ name: string; metadata?: unknown }[]>("GET", paths.kvKeys(this.id), { query: { prefix, limit: Math.min(1000, Math.max(10, limit)) } });
    return page.result.map((k) => ({ name: k.name, metadata: k.metadata ?? null }));
  }

  async delete(key: string): Promise<void> {
    await this.api.call("DELETE", paths.kvValue(this.id, key));
  }

  async get(key: string): Promise<string | null> {
    try {
      return (await this.api.text("GET", paths.kvValue(this.id, key))).text;
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404 && (error.codes.includes(KV_KEY_NOT_FOUND) || error.codes.length === 0)) {
        return null;
      }
      throw error;
    }
  }

  /** With metadata: the multipart form Cloudflare's API (and wrangler) use. */
  async put(key: string, value: string, metadata: Record<string, string>): Promise<void> {
    const form = new FormData();
    form.set("value", value);
    form.set("metadata", JSON.stringify(metadata));
    await this.api.call("PUT", paths.kvValue(this.id, key), { body: form });
  }

  async keys(prefix: string): Promise<string[]> {
    return (await this.keysWithMetadata(prefix)).map((k) => k.name);
  }

  /** Every key under the prefix, with its metadata (the hash an audited write left). */
  async keysWithMetadata(prefix: string): Promise<{ name: string; metadata: unknown }[]> {
    const keys: { name: string; metadata: unknown }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.call<{ name: string; metadata?: unknown }[]>("GET", paths.kvKeys(this.id), { query: { prefix, cursor } });
      keys.push(...page.result.map((k) => ({ name: k.name, metadata: k.metadata ?? null })));
      cursor = page.result_info?.cursor;
    } while (cursor !== undefined && cursor !== "");
    return keys;
  }

  /** The KV record if there is one (invalid ones are reported, not hidden), else the built-in. */
  async plan(name: string): Promise<{ limits: PlanSpec; source: "kv" | "builtin" } | null> {
    const text = await this.get(kvKeys.plan(name));
    if (text !== null) {
      const parsed = parsePlanRecord(text);
      if (!parsed.ok) throw new CliError(`the KV record ${kvKeys.plan(name)} is invalid (${parsed.message}); fix it with "plan set"`);
      return { limits: parsed.value, source: "kv" };
    }
    const builtin = BUILTIN_PLANS[name];
    return builtin === undefined ? null : { limits: builtin, source: "builtin" };
  }

  /**
   * The change is laid over the current record or built-in (core's editPlan), so it
   * may name only what changes; the record is read once, by the audited change itself.
   */
  async setPlan(name: string, change: unknown): Promise<{ limits: PlanSpec; entry: AuditEntry }> {
    if (!isPlanName(name)) throw new UsageError(`invalid plan name "${name}": lower-case letters, digits and dashes`);
    const builtin = BUILTIN_PLANS[name];
    let saved: PlanSpec | null = null;
    const entry = await applyChange(this, {
      ...this.who,
      action: "plan",
      key: kvKeys.plan(name),
      value: (text) => {
        const { base, result: valid } = editPlan(name, text, change);
        if (!valid.ok) {
          const given = typeof change === "object" && change !== null ? Object.keys(change) : [];
          const missing = base === null && (!given.includes("cpuMs") || !given.includes("subRequests"));
          throw new UsageError(missing ? `plan "${name}" does not exist yet: give both --cpu-ms and --subrequests` : valid.message);
        }
        saved = valid.value;
        return planRecord(valid.value);
      },
      fallback: builtin === undefined ? null : { value: planRecord(builtin), source: "builtin" },
    });
    if (saved === null) throw new CliError(`plan ${name} was not saved`);
    return { limits: saved, entry };
  }

  /** The tenant's record; null when it has none (the dispatcher's DEFAULT_PLAN applies). */
  async assignment(tenant: string): Promise<TenantAssignment | null> {
    const text = await this.get(kvKeys.tenant(tenant));
    if (text === null) return null;
    const parsed = parseAssignmentRecord(text);
    if (!parsed.ok) {
      throw new CliError(`the KV record ${kvKeys.tenant(tenant)} is invalid (${parsed.message}); overwrite it with "tenant plan ${tenant} <plan>"`);
    }
    return parsed.value;
  }

  async setAssignment(tenant: string, assignment: TenantAssignment | null): Promise<AuditEntry> {
    let value: string | null = null;
    if (assignment !== null) {
      const valid = validateAssignment(assignment);
      if (!valid.ok) throw new UsageError(valid.message);
      value = assignmentRecord(valid.value);
    }
    return applyChange(this, {
      ...this.who,
      action: "assignment",
      key: kvKeys.tenant(tenant),
      value,
      fallback: { value: assignmentRecord({ plan: this.defaultPlan, suspended: false }), source: "default" },
    });
  }

  /** Deletes the record (audited): the dispatcher's DEFAULT_PLAN applies again. */
  async deleteAssignment(tenant: string): Promise<AuditEntry> {
    return this.setAssignment(tenant, null);
  }

  /** Refuses a plan that neither KV nor the built-ins define: the dispatcher would apply "free". */
  async requirePlan(name: string): Promise<void> {
    if (!isPlanName(name)) throw new UsageError(`invalid plan name "${name}": lower-case letters, digits and dashes`);
    if ((await this.plan(name)) === null) {
      throw new CliError(`unknown plan "${name}": define it first with "tenantscope plan set ${name} --cpu-ms N --subrequests N"`);
    }
  }
}
