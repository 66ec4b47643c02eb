/**
 * Cost and margin from the usage export: what each tenant's usage costs the platform on
 * Workers for Platforms, what its plan brings in, and the difference, per tenant,
 * customer and plan, plus the account's estimated bill. Pure arithmetic over
 * core/src/usage.ts's rows, so the Billing page, its JSON and the Plans page agree.
 *
 * - A tenant's **cost** prices each of its requests and CPU ms at Cloudflare's overage
 *   rates, as if the account's included amounts were used up: the honest marginal cost
 *   of its traffic. The account's bill (`account`) applies the included amounts, the
 *   subscription and the script fee once.
 * - A tenant's **revenue** is the monthly fee of the plan of its latest invocation in the
 *   month, plus that plan's overage on all its invocations and CPU ms of the month. It is
 *   computed for calendar months only; a plan without a price gives no revenue (null).
 * - Everything rests on Analytics Engine's sampled, corrected counts: an estimate.
 */
import { groupBy } from "./group.ts";
import type { PlanPrice } from "./plans.ts";
import type { PlatformPrices } from "./pricing.ts";
import type { UsageExport } from "./usage.ts";

export interface MarginLine {
  invocations: number;
  cpuMs: number;
  /** USD. */
  cost: number;
  /** USD; null when a plan has no price or the period is not a calendar month. */
  revenue: number | null;
  margin: number | null;
  /** Revenue below cost. */
  loss: boolean;
}

export interface TenantMargin extends MarginLine {
  customer: string;
  tenant: string;
  /** The plan of its latest invocation in the period: the one whose fee applies. */
  plan: string;
}

export interface MarginGroup extends MarginLine {
  key: string;
  tenants: number;
  /** Tenants whose plan has no price (their revenue is unknown, so the group's is too). */
  unpriced: number;
}

export interface AccountCost {
  requests: number;
  cpuMs: number;
  /** Tenants with invocations in the period: a floor for the namespace's scripts. */
  scripts: number;
  subscription: number;
  requestsCost: number;
  cpuCost: number;
  scriptsCost: number;
  total: number;
}

export interface MarginReport {
  prices: PlatformPrices;
  /** Revenue needs a whole calendar month (plan fees are monthly). */
  monthly: boolean;
  tenants: TenantMargin[];
  customers: MarginGroup[];
  plans: MarginGroup[];
  account: AccountCost;
  totals: MarginLine;
}

/**
 * Money to 10⁻⁸ USD: a single request costs $0.0000003, so coarser rounding would make a
 * small tenant's cost, and a free plan's loss, vanish; finer only keeps float noise.
 */
const money = (v: number): number => Math.round(v * 1e8) / 1e8;
const perMillion = (units: number, rate: number): number => (units / 1_000_000) * rate;
const over = (units: number, included: number): number => Math.max(0, units - included);

/** The marginal cost of some usage at the overage rates. */
export function usageCost(invocations: number, cpuMs: number, p: PlatformPrices): number {
  return money(perMillion(invocations, p.requests.perMillion) + perMillion(cpuMs, p.cpuMs.perMillion));
}

/** A month's revenue from one tenant on a plan with this price. */
export function planRevenue(price: PlanPrice, invocations: number, cpuMs: number): number {
  return money(price.monthly + perMillion(over(invocations, price.includedRequests), price.perMillionRequests) + perMillion(over(cpuMs, price.includedCpuMs), price.perMillionCpuMs));
}

/** The account's estimated bill for one month of this usage. */
export function accountCost(requests: number, cpuMs: number, scripts: number, p: PlatformPrices): AccountCost {
  const requestsCost = money(perMillion(over(requests, p.requests.includedPerMonth), p.requests.perMillion));
  const cpuCost = money(perMillion(over(cpuMs, p.cpuMs.includedPerMonth), p.cpuMs.perMillion));
  const scriptsCost = money(over(scripts, p.scripts.included) * p.scripts.perScript);
  const subscription = p.subscriptionMonthly;
  return { requests, cpuMs, scripts, subscription, requestsCost, cpuCost, scriptsCost, total: money(subscription + requestsCost + cpuCost + scriptsCost) };
}

function line(invocations: number, cpuMs: number, cost: number, revenue: number | null): MarginLine {
  const margin = revenue === null ? null : money(revenue - cost);
  return { invocations, cpuMs, cost: money(cost), revenue, margin, loss: margin !== null && margin < 0 };
}

function group(items: readonly TenantMargin[], keyOf: (t: TenantMargin) => string): MarginGroup[] {
  return [...groupBy(items, keyOf).entries()].map(([key, ts]) => {
    const unpriced = ts.filter((t) => t.revenue === null).length;
    const sum = (f: (t: TenantMargin) => number): number => ts.reduce((s, t) => s + f(t), 0);
    const revenue = unpriced > 0 ? null : money(sum((t) => t.revenue ?? 0));
    return { key, tenants: ts.length, unpriced, ...line(sum((t) => t.invocations), sum((t) => t.cpuMs), sum((t) => t.cost), revenue) };
  });
}

export function marginReport(usage: UsageExport, priceOf: (plan: string) => PlanPrice | null, prices: PlatformPrices, monthly: boolean): MarginReport {
  const tenants: TenantMargin[] = [];
  for (const [tenant, rows] of groupBy(usage.rows, (r) => r.tenant)) {
    // The fee that applies is the plan in force at the end: the row with the latest invocation.
    const latest = rows.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a));
    const invocations = rows.reduce((s, r) => s + r.invocations, 0);
    const cpuMs = rows.reduce((s, r) => s + r.cpuMs, 0);
    const price = priceOf(latest.plan);
    const revenue = monthly && price !== null ? planRevenue(price, invocations, cpuMs) : null;
    tenants.push({ customer: latest.customer, tenant, plan: latest.plan, ...line(invocations, cpuMs, usageCost(invocations, cpuMs, prices), revenue) });
  }
  const all = group(tenants, () => "all")[0];
  return {
    prices,
    monthly,
    tenants,
    customers: group(tenants, (t) => t.customer),
    plans: group(tenants, (t) => t.plan),
    account: accountCost(usage.totals.invocations, usage.totals.cpuMs, tenants.length, prices),
    totals: all ?? line(0, 0, 0, monthly ? 0 : null),
  };
}
