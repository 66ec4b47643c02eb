/** `tenantscope plan list|set`: plan limits in KV (`plan:<name>`), over the built-ins. */
import { changedOutside } from "@tenantscope/core/audit";
import { BUILTIN_PLANS, kvKeys, parsePlanRecord } from "@tenantscope/core/plans";
import { arg, int, printJson, table, type Group } from "../command.ts";
import { UsageError } from "../errors.ts";
import { PlansStore } from "../kv.ts";

interface PlanRow {
  plan: string;
  cpuMs: number | null;
  subRequests: number | null;
  source: "kv" | "builtin" | "kv (overrides builtin)" | "kv (invalid)";
  problem?: string;
  /** The record was not written through tenantscope (a direct KV write): not in the audit log. */
  changedOutside?: boolean;
}

export const planGroup: Group = {
  summary: "plans and their limits",
  commands: {
    list: {
      usage: "plan list",
      summary: "list plans: KV records and the built-ins they override",
      args: [0, 0],
      async run(ctx) {
        const plans = new PlansStore(ctx.api, ctx.env);
        const rows = new Map<string, PlanRow>();
        for (const [plan, limits] of Object.entries(BUILTIN_PLANS)) rows.set(plan, { plan, ...limits, source: "builtin" });
        for (const { name: key, metadata } of await plans.keysWithMetadata(kvKeys.planPrefix)) {
          const plan = key.slice(kvKeys.planPrefix.length);
          const text = await plans.get(key);
          if (text === null) continue; // deleted between list and read
          const parsed = parsePlanRecord(text);
          const outside = (await changedOutside(text, metadata)) ? { changedOutside: true } : {};
          if (!parsed.ok) {
            rows.set(plan, { plan, cpuMs: null, subRequests: null, source: "kv (invalid)", problem: parsed.message, ...outside });
            continue;
          }
          rows.set(plan, { plan, ...parsed.value, source: plan in BUILTIN_PLANS ? "kv (overrides builtin)" : "kv", ...outside });
        }
        const sorted = [...rows.values()].sort((a, b) => a.plan.localeCompare(b.plan));
        if (ctx.json) return printJson(ctx, sorted);
        ctx.out(table(["PLAN", "CPU MS", "SUBREQUESTS", "SOURCE"], sorted.map((r) =>
          [r.plan, String(r.cpuMs ?? "-"), String(r.subRequests ?? "-"),
            `${r.problem === undefined ? r.source : `${r.source}: ${r.problem}`}${r.changedOutside === true ? ", changed outside tenantscope" : ""}`])));
      },
    },
    set: {
      usage: "plan set <plan> --cpu-ms N --subrequests N",
      summary: "create or change a plan in KV (a missing flag keeps the plan's current value)",
      options: { "cpu-ms": { type: "string" }, subrequests: { type: "string" } },
      args: [1, 1],
      async run(ctx, args, values) {
        const name = arg(args, 0);
        const plans = new PlansStore(ctx.api, ctx.env);
        const cpuMs = int(values, "cpu-ms");
        const subRequests = int(values, "subrequests");
        if (cpuMs === undefined && subRequests === undefined) throw new UsageError("give --cpu-ms and/or --subrequests");
        const current = cpuMs === undefined || subRequests === undefined ? await plans.plan(name) : null;
        if ((cpuMs === undefined || subRequests === undefined) && current === null) {
          throw new UsageError(`plan "${name}" does not exist yet: give both --cpu-ms and --subrequests`);
        }
        const { limits } = await plans.setPlan(name, {
          cpuMs: cpuMs ?? current?.limits.cpuMs,
          subRequests: subRequests ?? current?.limits.subRequests,
        });
        if (ctx.json) return printJson(ctx, { plan: name, ...limits });
        ctx.out(`plan ${name}: cpuMs ${limits.cpuMs}, subRequests ${limits.subRequests} (dispatchers pick it up within their plan cache TTL)`);
      },
    },
  },
};
