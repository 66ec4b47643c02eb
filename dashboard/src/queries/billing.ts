/**
 * Billing: the usage export (core/src/usage.ts, shared with `tenantscope usage export`)
 * for a period, per customer, tenant and plan in force, every figure sampling- and
 * fold-corrected, dispatcher answers left out. One SQL round trip. The totals are the
 * sum of the rows, so they equal the raw count of invocations stored (a point with
 * _sample_interval n and invocations k stands for n × k). Cost and margin
 * (core/src/margin.ts) come from the same rows and the plans' prices in KV.
 */
import { marginReport, type MarginReport } from "@tenantscope/core/margin";
import type { PlanPrice } from "@tenantscope/core/plans";
import type { PlatformPrices } from "@tenantscope/core/pricing";
import { usageExport, usageSql, type UsageExport, type UsageFilter, type UsagePeriod } from "@tenantscope/core/usage";
import type { SqlClient } from "@tenantscope/core/sql-client";
import type { PlanEntry } from "../kv.ts";

export interface Billing extends UsageExport {
  /** Cost and margin; null for a reader scoped to one tenant (the platform's costs are its own). */
  margin: MarginReport | null;
}

export interface MarginInputs {
  plans: Promise<PlanEntry[]>;
  prices: PlatformPrices;
  /** Plan fees are monthly: revenue only for a calendar month. */
  monthly: boolean;
}

/** Each plan's price, from the same plan entries the Plans page shows. */
export function priceLookup(plans: readonly PlanEntry[]): (plan: string) => PlanPrice | null {
  const prices = new Map(plans.map((p) => [p.plan, p.limits?.price ?? null]));
  return (plan) => prices.get(plan) ?? null;
}

export async function loadBilling(sql: SqlClient, period: UsagePeriod, filter: UsageFilter, nowMs: number, margin: MarginInputs | null): Promise<Billing> {
  const [result, plans] = await Promise.all([sql.query(usageSql(period, filter)), margin?.plans ?? Promise.resolve(null)]);
  const usage = usageExport(result.rows, period, filter, nowMs);
  if (margin === null || plans === null) return { ...usage, margin: null };
  return { ...usage, margin: marginReport(usage, priceLookup(plans), margin.prices, margin.monthly) };
}
