/**
 * `tenantscope usage export`: the invoicing export the dashboard's Billing page gives
 * (core/src/usage.ts, the same query), straight from Analytics Engine's SQL API: on
 * Cloudflare with the account's token (Account Analytics Read), locally through the
 * stand-in's SQL endpoint.
 */
import { isCustomerId } from "@tenantscope/core/customers";
import { isRecord } from "@tenantscope/core/result";
import { monthPeriod, periodRefusal, usageCsv, usageExport, usageSql, type UsageExport, type UsageFilter, type UsagePeriod } from "@tenantscope/core/usage";
import type { ApiClient } from "../api.ts";
import { printJson, str, type Context, type Group, type Values } from "../command.ts";
import { ApiFailure, CliError, UsageError } from "../errors.ts";

type Cell = string | number | null;

/** AE's answer for a dataset nothing was written to yet (HTTP 422): no usage, not a failure. */
const NO_DATA_WRITTEN = /no data has been written to (that|this) dataset/i;

/** One SQL round trip; the body is the SQL text, the answer AE's `FORMAT JSON`. */
export async function querySql(api: ApiClient, sql: string): Promise<Record<string, Cell>[]> {
  let text: string;
  try {
    ({ text } = await api.text("POST", "/analytics_engine/sql", { body: sql, contentType: "text/plain", idempotent: true }));
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 422 && NO_DATA_WRITTEN.test(error.message)) return [];
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`the SQL API answered with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!isRecord(body) || !Array.isArray(body.data)) throw new CliError("the SQL API answered without a data field");
  return body.data.filter(isRecord) as Record<string, Cell>[];
}

function periodOf(values: Values, nowMs: number): UsagePeriod {
  const month = str(values, "month");
  if (month === undefined) throw new UsageError("--month YYYY-MM is required");
  const period = monthPeriod(month);
  if (period === null) throw new UsageError(`--month must be YYYY-MM, got "${month}"`);
  const refusal = periodRefusal(period, nowMs);
  if (refusal !== null) throw new UsageError(refusal);
  return period;
}

function filterOf(values: Values): UsageFilter {
  const customer = str(values, "customer") ?? null;
  if (customer !== null && !isCustomerId(customer)) {
    throw new UsageError(`invalid --customer "${customer}": a customer id (letters, digits, '.', '_', '-') or a tenant name`);
  }
  return { tenant: null, customer };
}

function formatOf(ctx: Context, values: Values): "csv" | "json" {
  const format = str(values, "format") ?? (ctx.json ? "json" : "csv");
  if (format !== "csv" && format !== "json") throw new UsageError(`--format must be csv or json, got "${format}"`);
  return format;
}

export async function exportUsage(ctx: Context, values: Values, nowMs: number): Promise<UsageExport> {
  const period = periodOf(values, nowMs);
  const filter = filterOf(values);
  return usageExport(await querySql(ctx.api, usageSql(period, filter)), period, filter, nowMs);
}

export const usageGroup: Group = {
  summary: "usage for invoicing, from Analytics Engine",
  commands: {
    export: {
      usage: "usage export --month YYYY-MM [--customer C] [--format csv|json]",
      summary: "per customer, tenant and plan in force: invocations (sampling-corrected), ok, failed, CPU ms, wall ms",
      details: [
        "CSV (the default) has data rows only, each with the period (UTC, end excluded), the export time and the dataset;",
        "JSON adds per-customer sums and the totals. Dispatcher answers are never counted.",
        "A month that has not begun, or that starts before Analytics Engine's three-month retention, is refused.",
        "--customer takes a customer id (the customer:<id> tag) or the name of a tenant without one.",
        "On Cloudflare the token needs Account Analytics Read.",
      ],
      options: { month: { type: "string" }, customer: { type: "string" }, format: { type: "string" } },
      args: [0, 0],
      async run(ctx, _args, values) {
        const format = formatOf(ctx, values);
        const u = await exportUsage(ctx, values, Date.now());
        if (format === "json") return printJson(ctx, u);
        ctx.out(usageCsv(u).replace(/\r\n$/, ""));
      },
    },
  },
};
