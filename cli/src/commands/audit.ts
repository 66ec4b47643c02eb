/** `tenantscope audit list`: the one audit log of plan and assignment changes, in the plans KV namespace. */
import { AUDIT_SCAN, deletedOutside, readLog } from "@tenantscope/core/audit";
import { int, printJson, str, table, type Group } from "../command.ts";
import { PlansStore } from "../kv.ts";

export const auditGroup: Group = {
  summary: "the audit log of plan, assignment, alert rule and webhook changes (dashboard, CLI, automations, the alert evaluator)",
  commands: {
    list: {
      usage: "audit list [--limit N] [--key plan:<p>|tenant:<t>|alert:<id>|webhook:<id>]",
      summary: "newest first: when, who, via, key, old value (the built-in or default one when there was no record), new value",
      options: { limit: { type: "string" }, key: { type: "string" } },
      args: [0, 0],
      async run(ctx, _args, values) {
        const key = str(values, "key");
        const store = new PlansStore(ctx.api, ctx.env);
        // One read of the log's newest entries serves both the listing and the check for deleted records.
        const log = await readLog(store, AUDIT_SCAN);
        const entries = log.filter((e) => key === undefined || e.key === key).slice(0, int(values, "limit") ?? 50);
        // A direct KV delete leaves no entry: say so on stderr, so the table and the JSON keep their shape.
        for (const e of await deletedOutside(store, log)) {
          if (key === undefined || e.key === key) ctx.err(`warning: ${e.key} was deleted outside tenantscope (last written by ${e.actor} via ${e.via} at ${e.at})`);
        }
        if (ctx.json) return printJson(ctx, entries);
        ctx.out(table(["WHEN (UTC)", "WHO", "VIA", "KEY", "OLD", "NEW"], entries.map((e) => [
          e.at,
          e.actor,
          e.via,
          e.key,
          `${e.old ?? "(none)"}${e.oldSource === "builtin" ? " (built-in)" : e.oldSource === "default" ? " (default)" : ""}${e.outside ? " [changed outside tenantscope]" : ""}`,
          e.new ?? "(deleted)",
        ])));
      },
    },
  },
};
