/**
 * The seed's plan assignments go through the one audit log (core/src/audit.ts), as any
 * automation's should: entries name actor "tenantscope-dev" via "seed", and the records
 * carry their hash, so the dev stack does not flag its own demo records as changed
 * outside tenantscope.
 */
import { applyChange, type AuditChange, type AuditKv } from "@tenantscope/core/audit";
import { BUILTIN_PLANS, assignmentRecord, kvKeys, planRecord, type PlanPrice } from "@tenantscope/core/plans";
import type { LocalApiClient } from "./seed.ts";

const ACCOUNT = "local";
const PLANS_NAMESPACE_ID = "tenantscope-plans";
const base = `/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${PLANS_NAMESPACE_ID}`;

function fail(what: string, answer: { status: number; text: string }): Error {
  return new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
}

function restKv(api: LocalApiClient): AuditKv {
  const value = (key: string): string => `${base}/values/${encodeURIComponent(key)}`;
  const get = async (key: string): Promise<string | null> => {
    const answer = await api.call("GET", value(key));
    if (answer.status === 404) return null;
    if (answer.status >= 300) throw fail(`GET ${key}`, answer);
    return answer.text;
  };
  return {
    get,
    async getWithMetadata(key) {
      const text = await get(key);
      if (text === null) return { value: null, metadata: null };
      const answer = await api.call("GET", `${base}/metadata/${encodeURIComponent(key)}`);
      if (answer.status >= 300) throw fail(`GET metadata of ${key}`, answer);
      return { value: text, metadata: (JSON.parse(answer.text) as { result?: unknown }).result ?? null };
    },
    async put(key, text, metadata) {
      const form = new FormData();
      form.set("value", text);
      form.set("metadata", JSON.stringify(metadata));
      const answer = await api.call("PUT", value(key), { body: form });
      if (answer.status >= 300) throw fail(`PUT ${key}`, answer);
    },
    async delete(key) {
      const answer = await api.call("DELETE", value(key));
      if (answer.status >= 300 && answer.status !== 404) throw fail(`DELETE ${key}`, answer);
    },
    async list(prefix, limit) {
      const answer = await api.call("GET", `${base}/keys?prefix=${encodeURIComponent(prefix)}&limit=${limit}`);
      if (answer.status >= 300) throw fail(`list ${prefix}`, answer);
      return (JSON.parse(answer.text) as { result: { name: string; metadata?: unknown }[] }).result.map((k) => ({ name: k.name, metadata: k.metadata ?? null }));
    },
  };
}

/** Writes (or deletes, value null) any other record through the audit log, as the seed: alert rules and webhooks. */
export async function auditedWrite(api: LocalApiClient, change: Pick<AuditChange, "action" | "key" | "value" | "shown">): Promise<void> {
  await applyChange(restKv(api), { actor: "tenantscope-dev", via: "seed", fallback: null, ...change });
}

/** Writes `tenant:<name>` = {"plan": plan} through the audit log. */
export async function auditedAssign(api: LocalApiClient, tenant: string, plan: string, defaultPlan = "free"): Promise<void> {
  await applyChange(restKv(api), {
    actor: "tenantscope-dev",
    via: "seed",
    action: "assignment",
    key: kvKeys.tenant(tenant),
    value: assignmentRecord({ plan, suspended: false }),
    fallback: { value: assignmentRecord({ plan: defaultPlan, suspended: false }), source: "default" },
  });
}

/**
 * Demo prices for the built-in plans, so the dev stack's Billing and Plans pages show
 * cost and margin: written (audited) only where no `plan:` record exists, so an
 * operator's own plan record is never overwritten.
 */
export const DEMO_PRICES: Readonly<Record<string, PlanPrice>> = {
  free: { monthly: 0, includedRequests: 0, perMillionRequests: 0, includedCpuMs: 0, perMillionCpuMs: 0 },
  pro: { monthly: 20, includedRequests: 1_000_000, perMillionRequests: 0.5, includedCpuMs: 0, perMillionCpuMs: 0 },
  enterprise: { monthly: 200, includedRequests: 10_000_000, perMillionRequests: 0.4, includedCpuMs: 100_000_000, perMillionCpuMs: 0.03 },
};

export async function priceBuiltinPlansIfMissing(api: LocalApiClient): Promise<void> {
  const kv = restKv(api);
  for (const [plan, price] of Object.entries(DEMO_PRICES)) {
    const limits = BUILTIN_PLANS[plan];
    if (limits === undefined || (await kv.get(kvKeys.plan(plan))) !== null) continue;
    await applyChange(kv, {
      actor: "tenantscope-dev",
      via: "seed",
      action: "plan",
      key: kvKeys.plan(plan),
      value: planRecord({ ...limits, price }),
      fallback: { value: planRecord(limits), source: "builtin" },
    });
  }
}
