/**
 * `tenantscope alert status|history`: what the evaluator saw. Its state lives in its
 * Durable Object, reachable only over the dashboard's ALERTS binding, so these read the
 * dashboard's JSON API (GET /api/alerts) with an operator's bearer token:
 * TENANTSCOPE_DASHBOARD_URL (default http://127.0.0.1:8788 on the local stand-in) and
 * TENANTSCOPE_DASHBOARD_TOKEN.
 */
import type { Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { isRecord } from "@tenantscope/core/result";
import { printJson, str, table, type Command, type Context } from "../command.ts";
import { CliError } from "../errors.ts";
import { tenantName } from "./tenant.ts";

export const LOCAL_DASHBOARD_URL = "http://127.0.0.1:8788";

type Evaluator = { status: "not_deployed" } | { status: "failed"; message: string } | { status: "ok"; firing: RuleState[]; history: HistoryEntry[]; deliveries: Delivery[]; runs: RunSummary[] };

async function evaluator(ctx: Context): Promise<Extract<Evaluator, { status: "ok" }>> {
  const base = ctx.env.TENANTSCOPE_DASHBOARD_URL?.trim() || (ctx.api.target.kind === "local" ? LOCAL_DASHBOARD_URL : "");
  if (base === "") throw new CliError("set TENANTSCOPE_DASHBOARD_URL to the dashboard's URL: the evaluator's state is read through it");
  const token = ctx.env.TENANTSCOPE_DASHBOARD_TOKEN?.trim() ?? "";
  if (token === "") {
    throw new CliError("set TENANTSCOPE_DASHBOARD_TOKEN to an operator's dashboard token (locally: the operator line of the pnpm dev banner, or .tenantscope/dashboard-logins.json)");
  }
  const { text } = await ctx.api.elsewhere(base.replace(/\/+$/, ""), token).text("GET", "/api/alerts");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`${base}/api/alerts did not answer JSON: is TENANTSCOPE_DASHBOARD_URL the dashboard?`);
  }
  const ev = isRecord(body) && isRecord(body.evaluator) ? (body.evaluator as Evaluator) : null;
  if (ev === null) throw new CliError(`${base}/api/alerts answered without an evaluator section: is TENANTSCOPE_DASHBOARD_URL the dashboard?`);
  if (ev.status === "not_deployed") throw new CliError("the dashboard has no alert evaluator (no ALERTS binding): deploy tenantscope-alerts");
  if (ev.status === "failed") throw new CliError(ev.message);
  return ev;
}

const OPTIONS = { tenant: { type: "string" }, rule: { type: "string" } } as const;

function matches(values: Record<string, unknown>, e: { rule: string; tenant: string }): boolean {
  const tenant = typeof values.tenant === "string" ? tenantName(values.tenant) : undefined;
  const rule = typeof values.rule === "string" ? values.rule : undefined;
  return (tenant === undefined || e.tenant === tenant) && (rule === undefined || e.rule === rule);
}

export const statusCommands: Record<string, Command> = {
  status: {
    usage: "alert status [--tenant t] [--rule r]",
    summary: "what fires now and the evaluator's last run (through the dashboard: TENANTSCOPE_DASHBOARD_URL, TENANTSCOPE_DASHBOARD_TOKEN)",
    options: OPTIONS,
    args: [0, 0],
    async run(ctx, _args, values) {
      const ev = await evaluator(ctx);
      const firing = ev.firing.filter((s) => matches(values, s));
      const last = ev.runs[0] ?? null;
      if (ctx.json) return printJson(ctx, { firing, lastRun: last });
      ctx.out(last === null ? "no evaluation has run yet" : `last run ${last.at}: ${last.rules} rules over ${last.tenants} tenants, ${last.sqlQueries} SQL queries, ${last.wallMs} ms${last.error === null ? "" : `, failed: ${last.error}`}`);
      if (firing.length === 0) return ctx.out(str(values, "tenant") === undefined && str(values, "rule") === undefined ? "nothing is firing" : "nothing is firing for that filter");
      ctx.out(table(["RULE", "TENANT", "FIRING SINCE", "VALUE", "THRESHOLD", "LAST NOTIFIED"], firing.map((s) =>
        [s.rule, s.tenant, s.since ?? "-", String(s.value), String(s.threshold), s.lastNotified ?? "never"])));
    },
  },
  history: {
    usage: "alert history [--tenant t] [--rule r]",
    summary: "the last alert events (firing, still firing, resolved, stopped, resumed), newest first, and the deliveries",
    options: OPTIONS,
    args: [0, 0],
    async run(ctx, _args, values) {
      const ev = await evaluator(ctx);
      const history = ev.history.filter((e) => matches(values, e));
      const deliveries = ev.deliveries.filter((d) => matches(values, d));
      if (ctx.json) return printJson(ctx, { history, deliveries });
      ctx.out(history.length === 0 ? "no alert events" : table(["WHEN", "RULE", "TENANT", "EVENT", "VALUE", "THRESHOLD"], history.map((e) => [e.at, e.rule, e.tenant, e.event, String(e.value), String(e.threshold)])));
      ctx.out("");
      ctx.out(deliveries.length === 0 ? "no deliveries" : table(["CREATED", "WEBHOOK", "EVENT", "RULE", "TENANT", "STATUS", "ATTEMPTS", "LAST"], deliveries.map((d) =>
        [d.createdAt, d.webhook, d.event, d.rule || "-", d.tenant || "-", d.status, String(d.attempts), d.lastStatus === null ? (d.lastError ?? "-") : `HTTP ${d.lastStatus}`])));
    },
  },
};
