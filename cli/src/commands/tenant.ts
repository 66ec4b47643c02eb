/**
 * `tenantscope tenant get|list|plan|unassign|suspend|resume`: a tenant's `tenant:<name>`
 * record in KV. Writes for a tenant that is not in the namespace are refused without --force.
 */
import { isTenantName } from "@tenantscope/core/names";
import { kvKeys } from "@tenantscope/core/plans";
import { assignPlan } from "../bulk.ts";
import { arg, flag, printJson, str, type Context, type Group, type Values } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import { requireScript } from "../guard.ts";
import { DISPATCHER_DEFAULT_PLAN, PlansStore } from "../kv.ts";
import { tenantList } from "./tenant-list.ts";


const FORCE = { force: { type: "boolean" } } as const;

export function tenantName(raw: string): string {
  if (!isTenantName(raw)) throw new UsageError(`invalid tenant name "${raw}": lower-case letters, digits and dashes, 1-63 characters`);
  return raw;
}

async function setSuspended(ctx: Context, args: string[], values: Values, suspended: boolean): Promise<void> {
  const tenant = tenantName(arg(args, 0));
  const plans = new PlansStore(ctx.api, ctx.env);
  const current = await plans.assignment(tenant);
  if (current === null && !suspended) {
    ctx.out(`${tenant} has no assignment in KV, so it is not suspended`);
    return;
  }
  // A record needs a plan; without one, name the plan the dispatcher would have applied.
  const plan = current?.plan ?? str(values, "plan") ?? ctx.env.TENANTSCOPE_DEFAULT_PLAN ?? DISPATCHER_DEFAULT_PLAN;
  if (current === null) await plans.requirePlan(plan);
  if (suspended) await requireScript(ctx.api, ctx.namespace, tenant, flag(values, "force"));
  // A quota rule's stop is the rule's to lift (or `alert lift`), not a resume's.
  await plans.setAssignment(tenant, { plan, suspended, ...(current?.stop === undefined ? {} : { stop: current.stop }) });
  if (ctx.json) return printJson(ctx, { tenant, plan, suspended });
  ctx.out(`${tenant} ${suspended ? "suspended" : "resumed"} (plan ${plan}${current === null ? ", recorded as it had no assignment" : ""})`);
}

export const tenantGroup: Group = {
  summary: "tenant plan assignments and suspension (KV)",
  commands: {
    get: {
      usage: "tenant get <tenant>",
      summary: "show a tenant's assignment",
      args: [1, 1],
      async run(ctx, args) {
        const tenant = tenantName(arg(args, 0));
        const assignment = await new PlansStore(ctx.api, ctx.env).assignment(tenant);
        if (ctx.json) return printJson(ctx, { tenant, assignment });
        ctx.out(assignment === null
          ? `${tenant}: no ${kvKeys.tenant(tenant)} record (the dispatcher's DEFAULT_PLAN applies)`
          : `${tenant}: plan ${assignment.plan}${assignment.suspended ? ", suspended" : ""}${assignment.stop === undefined ? "" : `, stopped by quota rule ${assignment.stop.rule} until ${assignment.stop.until}`}`);
      },
    },
    list: tenantList,
    plan: {
      usage: "tenant plan <tenant> <plan> [--force]",
      summary: "assign a plan (keeps a suspension in place; --force: even if the tenant is not in the namespace)",
      options: FORCE,
      args: [2, 2],
      async run(ctx, args, values) {
        const tenant = tenantName(arg(args, 0));
        const plan = arg(args, 1);
        const plans = new PlansStore(ctx.api, ctx.env);
        await plans.requirePlan(plan);
        await requireScript(ctx.api, ctx.namespace, tenant, flag(values, "force"));
        await assignPlan(plans, tenant, plan);
        if (ctx.json) return printJson(ctx, { tenant, plan });
        ctx.out(`${tenant} is on plan ${plan}`);
      },
    },
    unassign: {
      usage: "tenant unassign <tenant> [--force]",
      summary: "delete the tenant's record: the dispatcher's DEFAULT_PLAN applies (--force: even if it lifts a suspension)",
      options: FORCE,
      args: [1, 1],
      async run(ctx, args, values) {
        const tenant = tenantName(arg(args, 0));
        const plans = new PlansStore(ctx.api, ctx.env);
        const current = await plans.assignment(tenant);
        if (current === null) {
          if (ctx.json) return printJson(ctx, { tenant, removed: null });
          return ctx.out(`${tenant} has no assignment in KV: nothing to remove`);
        }
        if (current.suspended && !flag(values, "force")) {
          throw new CliError(`${tenant} is suspended: removing its record would lift the suspension (resume it first, or pass --force)`);
        }
        await plans.deleteAssignment(tenant);
        if (ctx.json) return printJson(ctx, { tenant, removed: current });
        ctx.out(`${tenant} unassigned (was plan ${current.plan}${current.suspended ? ", suspended" : ""}); the dispatcher's DEFAULT_PLAN applies`);
      },
    },
    suspend: {
      usage: "tenant suspend <tenant> [--plan p] [--force]",
      summary: "suspend a tenant: the dispatcher answers tenant_suspended (--plan: the plan to record if it has none)",
      options: { plan: { type: "string" }, ...FORCE },
      args: [1, 1],
      run: (ctx, args, values) => setSuspended(ctx, args, values, true),
    },
    resume: {
      usage: "tenant resume <tenant>",
      summary: "lift a suspension, keeping the plan",
      args: [1, 1],
      run: (ctx, args, values) => setSuspended(ctx, args, values, false),
    },
  },
};
