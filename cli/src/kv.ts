/**
 * Plans and tenant assignments in the plans KV namespace, through the KV REST API
 * (the local one or Cloudflare's). Records are written and read only through
 * core/src/plans.ts, so the dispatcher and the tail read exactly what we write.
 */
import {
  BUILTIN_PLANS,
  assignmentRecord,
  isPlanName,
  kvKeys,
  parseAssignmentRecord,
  parsePlanRecord,
  planRecord,
  validateAssignment,
  validatePlanLimits,
  type PlanLimits,
  type TenantAssignment,
} from "@tenantscope/core/plans";
import { ApiFailure, CliError, UsageError } from "./errors.ts";
import { paths, type ApiClient } from "./api.ts";

const KV_KEY_NOT_FOUND = 10009;

export class PlansStore {
  private readonly api: ApiClient;
  private readonly id: string;

  constructor(api: ApiClient) {
    const id = api.target.plansKvId;
    if (id === null) {
      throw new CliError("plans live in KV: set TENANTSCOPE_PLANS_KV_ID to the id of the KV namespace bound as PLANS");
    }
    this.api = api;
    this.id = id;
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

  async put(key: string, value: string): Promise<void> {
    await this.api.call("PUT", paths.kvValue(this.id, key), { body: value, contentType: "text/plain" });
  }

  async keys(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.call<{ name: string }[]>("GET", paths.kvKeys(this.id), { query: { prefix, cursor } });
      names.push(...page.result.map((k) => k.name));
      cursor = page.result_info?.cursor;
    } while (cursor !== undefined && cursor !== "");
    return names;
  }

  /** The KV record if there is one (invalid ones are reported, not hidden), else the built-in. */
  async plan(name: string): Promise<{ limits: PlanLimits; source: "kv" | "builtin" } | null> {
    const text = await this.get(kvKeys.plan(name));
    if (text !== null) {
      const parsed = parsePlanRecord(text);
      if (!parsed.ok) throw new CliError(`the KV record ${kvKeys.plan(name)} is invalid (${parsed.message}); fix it with "plan set"`);
      return { limits: parsed.value, source: "kv" };
    }
    const builtin = BUILTIN_PLANS[name];
    return builtin === undefined ? null : { limits: builtin, source: "builtin" };
  }

  async setPlan(name: string, limits: unknown): Promise<PlanLimits> {
    if (!isPlanName(name)) throw new UsageError(`invalid plan name "${name}": lower-case letters, digits and dashes`);
    const valid = validatePlanLimits(limits);
    if (!valid.ok) throw new UsageError(valid.message);
    await this.put(kvKeys.plan(name), planRecord(valid.value));
    return valid.value;
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

  async setAssignment(tenant: string, assignment: TenantAssignment): Promise<void> {
    const valid = validateAssignment(assignment);
    if (!valid.ok) throw new UsageError(valid.message);
    await this.put(kvKeys.tenant(tenant), assignmentRecord(valid.value));
  }

  async deleteAssignment(tenant: string): Promise<void> {
    await this.api.call("DELETE", paths.kvValue(this.id, kvKeys.tenant(tenant)));
  }

  /** Refuses a plan that neither KV nor the built-ins define: the dispatcher would apply "free". */
  async requirePlan(name: string): Promise<void> {
    if (!isPlanName(name)) throw new UsageError(`invalid plan name "${name}": lower-case letters, digits and dashes`);
    if ((await this.plan(name)) === null) {
      throw new CliError(`unknown plan "${name}": define it first with "tenantscope plan set ${name} --cpu-ms N --subrequests N"`);
    }
  }
}
