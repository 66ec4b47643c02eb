/**
 * `tenantscope tenant list`: every tenant the namespace or KV knows, with its
 * assignment, plan, suspension, whether its script exists and when it last had
 * traffic. A KV record without a script (a typo, a deleted tenant) shows up here.
 */
import { changedOutside } from "@tenantscope/core/audit";
import { kvKeys, parseAssignmentRecord } from "@tenantscope/core/plans";
import { printJson, table, type Command, type Context } from "../command.ts";
import { lastTraffic, scriptNames } from "../guard.ts";
import { PlansStore } from "../kv.ts";

export interface TenantRow {
  tenant: string;
  /** "kv": a record; "default": none, the dispatcher's DEFAULT_PLAN applies; "invalid": a record the dispatcher ignores. */
  assignment: "kv" | "default" | "invalid";
  /** The record was not written through tenantscope (a direct KV write): not in the audit log. */
  changedOutside: boolean;
  plan: string | null;
  suspended: boolean;
  scriptExists: boolean;
  /** 'YYYY-MM-DD hh:mm:ss' UTC, null when none within AE's retention (or unknown). */
  lastTraffic: string | null;
}

/** A few KV reads in flight: enough to be quick, few enough for the API's rate limit. */
const CONCURRENCY = 8;

interface Found {
  plan: string | null;
  suspended: boolean;
  valid: boolean;
  outside: boolean;
}

async function assignments(plans: PlansStore, keys: { name: string; metadata: unknown }[]): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < keys.length; i = next++) {
      const key = keys[i];
      if (key === undefined) continue;
      const text = await plans.get(key.name);
      if (text === null) continue; // deleted between list and read
      const parsed = parseAssignmentRecord(text);
      const outside = await changedOutside(text, key.metadata);
      found.set(key.name.slice(kvKeys.tenantPrefix.length), parsed.ok ? { ...parsed.value, valid: true, outside } : { plan: null, suspended: false, valid: false, outside });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return found;
}

async function traffic(ctx: Context): Promise<Map<string, string> | null> {
  try {
    return await lastTraffic(ctx.api);
  } catch (error) {
    // The list is still useful without it (a token without Analytics read, say).
    ctx.err(`last traffic unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

export const tenantList: Command = {
  usage: "tenant list",
  summary: "every tenant in the namespace or KV: assignment, plan, suspended, script exists, last traffic",
  args: [0, 0],
  async run(ctx) {
    const plans = new PlansStore(ctx.api, ctx.env);
    const [scripts, keys, last] = await Promise.all([scriptNames(ctx.api, ctx.namespace), plans.keysWithMetadata(kvKeys.tenantPrefix), traffic(ctx)]);
    const assigned = await assignments(plans, keys);
    const names = [...new Set([...scripts, ...assigned.keys()])].sort();
    const rows = names.map((tenant): TenantRow => {
      const a = assigned.get(tenant);
      return {
        tenant,
        assignment: a === undefined ? "default" : a.valid ? "kv" : "invalid",
        changedOutside: a?.outside ?? false,
        plan: a?.plan ?? null,
        suspended: a?.suspended ?? false,
        scriptExists: scripts.has(tenant),
        lastTraffic: last?.get(tenant) ?? null,
      };
    });
    if (ctx.json) return printJson(ctx, rows);
    ctx.out(table(["TENANT", "PLAN", "ASSIGNMENT", "SUSPENDED", "SCRIPT", "LAST TRAFFIC (UTC)"], rows.map((r) => [
      r.tenant,
      r.plan ?? (r.assignment === "default" ? `(${ctx.env.TENANTSCOPE_DEFAULT_PLAN ?? "free"})` : "-"),
      r.changedOutside ? `${r.assignment} (changed outside tenantscope)` : r.assignment,
      r.suspended ? "yes" : "no",
      r.scriptExists ? "yes" : "MISSING",
      r.lastTraffic ?? (last === null ? "?" : "none in 92 days"),
    ])));
  },
};
