/**
 * Cost and margin (core/src/margin.ts) against hand-computed figures: Cloudflare's own
 * worked example for the account's bill, and the billing month's fixed points
 * (fixtures.ts) priced through the dashboard, with plan prices saved over the API.
 */
import { env } from "cloudflare:workers";
import { accountCost } from "@tenantscope/core/margin";
import { parsePlanRecord } from "@tenantscope/core/plans";
import { WFP_PRICES, parsePlatformPrices, type PlatformPrices } from "@tenantscope/core/pricing";
import { describe, expect, it } from "vitest";
import type { Billing } from "../src/queries/billing.ts";
import { billingMonth } from "./fixtures.ts";
import { anchorMs, harness, json } from "./helpers.ts";

/** Rates big enough that 29 invocations cost dollars: $0.30 a request, $0.02 a CPU ms. */
const BIG: PlatformPrices = { ...WFP_PRICES, requests: { includedPerMonth: 20_000_000, perMillion: 300_000 }, cpuMs: { includedPerMonth: 60_000_000, perMillion: 20_000 } };

describe("cost and margin", () => {
  it("the account's bill matches Cloudflare's worked example: 100 M requests, 10 ms each, 1 200 scripts = $71.80", () => {
    const a = accountCost(100_000_000, 10 * 100_000_000, 1_200, WFP_PRICES);
    expect(a).toEqual({ requests: 100_000_000, cpuMs: 1_000_000_000, scripts: 1_200, subscription: 25, requestsCost: 24, cpuCost: 18.8, scriptsCost: 4, total: 71.8 });
    expect(accountCost(1_000, 5_000, 3, WFP_PRICES).total).toBe(25);
  });

  it("prices each tenant, customer and plan of the billing month by hand", async () => {
    const h = harness({ now: anchorMs }, { WFP_PRICES: JSON.stringify(BIG) });
    const put = (plan: string, body: object) => h.request(`/api/plans/${plan}`, { method: "PUT", as: "operator", body: JSON.stringify(body) });
    // pro: $5 a month, 10 requests included, then $1 a request; free: $1 a month, nothing else.
    expect((await put("pro", { price: { monthly: 5, includedRequests: 10, perMillionRequests: 1_000_000 } })).status).toBe(200);
    expect((await put("free", { price: { monthly: 1 } })).status).toBe(200);
    // A price-only edit keeps the built-in limits; the record carries both.
    expect(parsePlanRecord((await env.PLANS.get("plan:pro")) ?? "")).toEqual({
      ok: true, value: { cpuMs: 50, subRequests: 100, price: { monthly: 5, includedRequests: 10, perMillionRequests: 1_000_000, includedCpuMs: 0, perMillionCpuMs: 0 } },
    });
    const { label } = billingMonth(anchorMs());
    const b = await json<Billing>(await h.request(`/api/billing?month=${label}`, { as: "billing" }));
    const m = b.margin;
    if (m === null) throw new Error("no margin for an unscoped reader");
    const t = Object.fromEntries(m.tenants.map((x) => [x.tenant, [x.plan, x.invocations, x.cpuMs, x.cost, x.revenue, x.margin, x.loss]]));
    // delta: 5 free + 6 pro invocations, 14 + 110 CPU ms, latest on pro. Cost 11 × 0.30 + 124 × 0.02 = 5.78;
    // revenue 5 + (11 − 10) × 1 = 6; margin 0.22.
    expect(t.delta).toEqual(["pro", 11, 124, 5.78, 6, 0.22, false]);
    // epsilon: 11 pro, 12 ms. Cost 3.30 + 0.24 = 3.54; revenue 6; margin 2.46.
    expect(t.epsilon).toEqual(["pro", 11, 12, 3.54, 6, 2.46, false]);
    // zeta: 7 free, 31 ms. Cost 2.10 + 0.62 = 2.72; revenue 1; a loss of 1.72.
    expect(t.zeta).toEqual(["free", 7, 31, 2.72, 1, -1.72, true]);
    expect(m.customers.map((g) => [g.key, g.tenants, g.cost, g.revenue, g.margin, g.loss])).toEqual([
      ["acme", 2, 9.32, 12, 2.68, false],
      ["zeta", 1, 2.72, 1, -1.72, true],
    ]);
    expect(Object.fromEntries(m.plans.map((g) => [g.key, [g.tenants, g.revenue, g.margin]]))).toEqual({ free: [1, 1, -1.72], pro: [2, 12, 2.68] });
    // 29 requests and 167 ms are far inside the included amounts: the bill is the subscription.
    expect([m.account.requests, m.account.cpuMs, m.account.scripts, m.account.total]).toEqual([29, 167, 3, 25]);

    const page = await (await h.request(`/billing?month=${label}`, { as: "billing" })).text();
    expect(page).toContain("estimate from sampled data");
    expect(page).toContain("1 of 3 tenants cost more than they bring in.");
    expect(page).toMatch(/data-margin="-1.72">-\$1\.72<\/td><td><b class="bad">loss<\/b>/);
  });

  it("gives no revenue for a plan without a price or a day range, and none of it to a scoped reader", async () => {
    // KV outlives a test within this file: start without the prices saved above.
    await Promise.all([env.PLANS.delete("plan:pro"), env.PLANS.delete("plan:free")]);
    const h = harness({ now: anchorMs }, { WFP_PRICES: JSON.stringify(BIG) });
    const { label } = billingMonth(anchorMs());
    const b = await json<Billing>(await h.request(`/api/billing?month=${label}`, { as: "billing" }));
    expect(b.margin?.tenants.every((x) => x.revenue === null && x.margin === null && !x.loss)).toBe(true);
    expect(b.margin?.customers.find((g) => g.key === "acme")?.unpriced).toBe(2);
    const range = await json<Billing>(await h.request(`/api/billing?from=${label}-01&to=${label}-20`, { as: "billing" }));
    expect(range.margin?.monthly).toBe(false);
    const scoped = await json<Billing>(await h.request(`/api/billing?month=${label}`, { as: "scopedBilling" }));
    expect(scoped.margin).toBeNull();
  });

  it("refuses a bad price with the reason, keeping the typed values, and a broken price list names the var", async () => {
    const h = harness({ now: anchorMs });
    const before = await env.PLANS.get("plan:pro");
    const res = await h.request("/api/plans/pro", { method: "PUT", as: "operator", body: JSON.stringify({ price: { monthly: -3 } }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("price.monthly must be a number of USD");
    expect(await env.PLANS.get("plan:pro")).toBe(before);
    expect(parsePlatformPrices('{"asOf":"2026-04-21"}').ok).toBe(false);
    const broken = await harness({ now: anchorMs }, { WFP_PRICES: "{not json" }).request(`/api/billing?month=${billingMonth(anchorMs()).label}`, { as: "billing" });
    expect(broken.status).toBe(500);
    expect(await broken.text()).toContain("var WFP_PRICES");
  });
});
