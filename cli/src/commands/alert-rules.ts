/**
 * `tenantscope alert list|show|set|delete|lift`: alert rules in the plans KV
 * (`alert:<id>`), audited; `lift` ends a quota rule's stop on a tenant early.
 */
import { describeCondition, describeScope } from "@tenantscope/core/alert-text";
import { ALERT_ID_RE, validateRule, type AlertRule } from "@tenantscope/core/alerts";
import { liftedAssignment } from "@tenantscope/core/plans";
import { AlertStore } from "../alert-store.ts";
import { RULE_OPTIONS, flagHint, ruleInput } from "../alert-flags.ts";
import { arg, flag, printJson, table, type Command, type Context } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import { requireScript } from "../guard.ts";
import { PlansStore } from "../kv.ts";
import { tenantName } from "./tenant.ts";

export function alertId(raw: string, what = "rule"): string {
  if (!ALERT_ID_RE.test(raw)) throw new UsageError(`invalid ${what} id "${raw}": lower-case letters, digits and dashes, at most 63, starting with a letter or digit`);
  return raw;
}

function stores(ctx: Context): { plans: PlansStore; alerts: AlertStore } {
  const plans = new PlansStore(ctx.api, ctx.env);
  return { plans, alerts: new AlertStore(plans, ctx.env) };
}

function ruleLine(r: AlertRule): string {
  const hooks = r.webhooks.length === 0 ? "no webhooks" : `notifies ${r.webhooks.join(", ")}`;
  return `${describeScope(r.scope)}: ${describeCondition(r.condition)}; cooldown ${r.cooldownMinutes} min; ${hooks}${r.enabled ? "" : "; disabled"}`;
}

/** What the rule points at must exist: its webhooks, and the tenant or plan of its scope. */
async function checkReferences(ctx: Context, plans: PlansStore, alerts: AlertStore, rule: AlertRule, force: boolean): Promise<void> {
  for (const id of rule.webhooks) {
    if ((await alerts.webhook(id)) === null) throw new CliError(`rule not saved: there is no webhook "${id}"; create it first with "tenantscope alert webhook-set ${id} --url …"`);
  }
  if (rule.scope.kind === "tenant") await requireScript(ctx.api, ctx.namespace, rule.scope.value, force);
  if (rule.scope.kind === "plan") await plans.requirePlan(rule.scope.value);
}

const SET_DETAILS = [
  "",
  "A flag not given keeps the rule's current value; a new rule needs --when and --scope.",
  "  --scope all | tenant:<name> | plan:<name> | customer:<id>",
  "  --when error_rate  --window MIN --threshold SHARE (0.2 = 20 %) [--min N]",
  "  --when limit_rate  --limit cpu|subrequests|any --window MIN --threshold SHARE [--min N]",
  "  --when cpu_p95     --window MIN --share SHARE (of the plan's CPU limit) [--min N]",
  "  --when quota       --metric invocations|cpu_ms --amount N [--period month|SECONDS] [--forecast] [--stop]",
  "  --when change      --metric invocations|errors --window MIN --factor F --baseline previous|median_7d [--min N]",
  "  --cooldown MIN, --webhook ID (repeatable; replaces the list), --no-webhooks, --enable/--disable",
  "  --file rule.json: the whole rule as JSON (core/KV.md), flags applied on top",
  "  --force: a tenant scope even if the tenant is not in the namespace",
];

export const ruleCommands: Record<string, Command> = {
  list: {
    usage: "alert list",
    summary: "list alert rules: scope, condition, cooldown, webhooks (invalid records with their reason)",
    args: [0, 0],
    async run(ctx) {
      const rules = await stores(ctx).alerts.rules();
      if (ctx.json) return printJson(ctx, rules.map((r) => (r.ok ? r.value : { id: r.id, invalid: r.problem })));
      if (rules.length === 0) return ctx.out('no alert rules; add one with "tenantscope alert set <id> --when … --scope …"');
      ctx.out(table(["RULE", "ENABLED", "SCOPE", "CONDITION", "COOLDOWN", "WEBHOOKS"], rules.map((r) =>
        r.ok
          ? [r.id, r.value.enabled ? "yes" : "no", describeScope(r.value.scope), describeCondition(r.value.condition), `${r.value.cooldownMinutes} min`, r.value.webhooks.join(",") || "-"]
          : [r.id, "-", "-", `invalid record, ignored by the evaluator: ${r.problem}`, "-", "-"])));
    },
  },
  show: {
    usage: "alert show <rule>",
    summary: "show one rule",
    args: [1, 1],
    async run(ctx, args) {
      const id = alertId(arg(args, 0));
      const rule = await stores(ctx).alerts.rule(id);
      if (rule === null) throw new CliError(`there is no alert rule "${id}"`);
      if (ctx.json) return printJson(ctx, rule);
      ctx.out(`${rule.id} (${rule.name}): ${ruleLine(rule)}`);
    },
  },
  set: {
    usage: "alert set <rule> [--when kind] [--scope s] [condition flags] [--file rule.json]",
    summary: "create or change an alert rule (validated, audited)",
    details: SET_DETAILS,
    options: RULE_OPTIONS,
    args: [1, 1],
    async run(ctx, args, values) {
      const id = alertId(arg(args, 0));
      const { plans, alerts } = stores(ctx);
      const current = await alerts.rule(id);
      const input = await ruleInput(id, values, current);
      const valid = validateRule(input);
      if (!valid.ok) throw new UsageError(`rule not saved: ${flagHint(valid.message)}`);
      await checkReferences(ctx, plans, alerts, valid.value, flag(values, "force"));
      const { rule } = await alerts.setRule(valid.value);
      if (ctx.json) return printJson(ctx, rule);
      ctx.out(`rule ${rule.id} ${current === null ? "created" : "saved"}: ${ruleLine(rule)} (the evaluator reads it at its next run)`);
    },
  },
  delete: {
    usage: "alert delete <rule>",
    summary: "delete a rule (audited); its state and history stay with the evaluator",
    args: [1, 1],
    async run(ctx, args) {
      const id = alertId(arg(args, 0));
      const { alerts } = stores(ctx);
      // An invalid record can be deleted too: only a missing one is "nothing to delete".
      if (!(await alerts.exists("rule", id))) {
        if (ctx.json) return printJson(ctx, { rule: id, deleted: false });
        return ctx.out(`there is no alert rule "${id}": nothing to delete`);
      }
      await alerts.deleteRule(id);
      if (ctx.json) return printJson(ctx, { rule: id, deleted: true });
      ctx.out(`rule ${id} deleted`);
    },
  },
  lift: {
    usage: "alert lift <tenant>",
    summary: "end a quota rule's stop on a tenant before its period ends (audited; the rule does not stop it again in the same period)",
    args: [1, 1],
    async run(ctx, args) {
      const tenant = tenantName(arg(args, 0));
      const plans = new PlansStore(ctx.api, ctx.env);
      const current = await plans.assignment(tenant);
      if (current?.stop === undefined) {
        if (ctx.json) return printJson(ctx, { tenant, lifted: null });
        return ctx.out(`${tenant} is not stopped by a quota rule`);
      }
      await plans.setAssignment(tenant, liftedAssignment(current, plans.defaultPlan));
      if (ctx.json) return printJson(ctx, { tenant, lifted: current.stop });
      ctx.out(`${tenant}: the stop by rule ${current.stop.rule} (until ${current.stop.until}) is lifted; the dispatcher serves it again within its plan cache TTL`);
    },
  },
};
