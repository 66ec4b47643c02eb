/**
 * A month with a plan change in the middle (fixtures.ts, billingPoints): the export's
 * rows equal the raw sampling-corrected counts of the imported points, split by plan,
 * per customer and tenant; customer grouping and filtering; refusals of periods AE
 * cannot answer in full.
 */
import { customerOf } from "@tenantscope/core/customers";
import { describe, expect, it } from "vitest";
import type { Billing } from "../src/queries/billing.ts";
import { billingMonth, billingPoints, type FixturePoint } from "./fixtures.ts";
import { anchorMs, harness, json } from "./helpers.ts";

/** The raw figures straight from the imported points: Σ si × invocations (× the per-invocation double). */
function rawRows(points: readonly FixturePoint[]): Record<string, { invocations: number; ok: number; failed: number; cpuMs: number; wallMs: number }> {
  const { from, to } = billingMonth(anchorMs());
  const out: Record<string, { invocations: number; ok: number; failed: number; cpuMs: number; wallMs: number }> = {};
  for (const p of points) {
    const at = anchorMs() - p.agoMs;
    if (at < from || at >= to || p.row.pointKind === "dispatcher") continue;
    const key = `${customerOf(p.row.customer ?? "", p.row.tenant)}/${p.row.tenant}/${p.row.plan ?? ""}`;
    const r = (out[key] ??= { invocations: 0, ok: 0, failed: 0, cpuMs: 0, wallMs: 0 });
    const n = p.sampleInterval * (p.row.invocations ?? 1);
    r.invocations += n;
    if (p.row.outcome === "ok") r.ok += n;
    else r.failed += n;
    r.cpuMs += n * (p.row.cpuMs ?? 0);
    r.wallMs += n * (p.row.wallMs ?? 0);
  }
  return out;
}

const keyed = (b: Billing): Record<string, { invocations: number; ok: number; failed: number; cpuMs: number; wallMs: number }> =>
  Object.fromEntries(b.rows.map((r) => [`${r.customer}/${r.tenant}/${r.plan}`, { invocations: r.invocations, ok: r.ok, failed: r.failed, cpuMs: r.cpuMs, wallMs: r.wallMs }]));

describe("billing: a month with a plan change", () => {
  it("splits the tenant's row by plan, and every row equals the raw sampling-corrected counts", async () => {
    const month = billingMonth(anchorMs());
    const b = await json<Billing>(await harness({ now: anchorMs }).request(`/api/billing?month=${month.label}`, { as: "billing" }));
    expect(keyed(b)).toEqual(rawRows(billingPoints(anchorMs())));
    // The same, by hand (fixtures.ts): delta's free and pro rows, epsilon, and zeta as its own customer.
    expect(keyed(b)).toEqual({
      "acme/delta/free": { invocations: 5, ok: 2, failed: 3, cpuMs: 14, wallMs: 31 },
      "acme/delta/pro": { invocations: 6, ok: 5, failed: 1, cpuMs: 110, wallMs: 161 },
      "acme/epsilon/pro": { invocations: 11, ok: 11, failed: 0, cpuMs: 12, wallMs: 22 },
      "zeta/zeta/free": { invocations: 7, ok: 7, failed: 0, cpuMs: 31, wallMs: 37 },
    });
    const start = `${month.label}-01T00:00:00Z`;
    expect(b.rows.every((r) => r.periodStart === start && r.periodEnd === new Date(month.to).toISOString().replace(".000Z", "Z"))).toBe(true);
    // Where the plan change falls: the last free invocation is before the first pro one.
    const free = b.rows.find((r) => r.tenant === "delta" && r.plan === "free");
    const pro = b.rows.find((r) => r.tenant === "delta" && r.plan === "pro");
    expect(free !== undefined && pro !== undefined && free.lastSeen < pro.firstSeen).toBe(true);
    expect(b.rows.find((r) => r.tenant === "zeta")?.firstSeen).toBe(start);
    expect(b.customers).toEqual([
      { customer: "acme", tenants: ["delta", "epsilon"], invocations: 22, ok: 18, failed: 4, cpuMs: 136, wallMs: 214 },
      { customer: "zeta", tenants: ["zeta"], invocations: 7, ok: 7, failed: 0, cpuMs: 31, wallMs: 37 },
    ]);
    expect(b.totals).toEqual({ invocations: 29, ok: 25, failed: 4, cpuMs: 167, wallMs: 251 });
  });

  it("filters by customer, a tag's id or a tenant that is its own customer", async () => {
    const h = harness({ now: anchorMs });
    const { label } = billingMonth(anchorMs());
    const acme = await json<Billing>(await h.request(`/api/billing?month=${label}&customer=acme`, { as: "billing" }));
    expect(acme.rows.map((r) => `${r.tenant}/${r.plan}`)).toEqual(["delta/free", "delta/pro", "epsilon/pro"]);
    expect(acme.totals.invocations).toBe(22);
    const zeta = await json<Billing>(await h.request(`/api/billing?month=${label}&customer=zeta`, { as: "billing" }));
    expect(zeta.rows.map((r) => r.tenant)).toEqual(["zeta"]);
    const csv = await h.request(`/api/billing.csv?month=${label}&customer=acme`, { as: "billing" });
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="tenantscope-usage-acme-${label}.csv"`);
    const page = await (await h.request(`/billing?month=${label}&customer=acme`, { as: "billing" })).text();
    expect(page).toContain('data-figure="customer">acme<');
    expect(page).toContain('data-figure="total-invocations">22<');
    // delta's free period: first and last invocation on different days, both dated.
    expect(page).toContain(`${label}-03 12:00:00 – ${label}-10 12:00:00`);
  });

  it("refuses a month that has not begun and one past AE's three-month retention, saying why", async () => {
    const h = harness({ now: anchorMs });
    const a = new Date(anchorMs());
    const month = (by: number): string => new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + by, 1)).toISOString().slice(0, 7);
    for (const [path, reason] of [
      [`/api/billing?month=${month(1)}`, /has not begun/],
      [`/api/billing.csv?month=${month(1)}`, /has not begun/],
      [`/api/billing?month=${month(-4)}`, /keeps data for 3 months, so part of this period is already deleted/],
      [`/api/billing?month=${month(-3)}`, /already deleted.*oldest whole month still kept is/],
    ] as const) {
      const res = await h.request(path, { as: "billing" });
      expect(res.status, path).toBe(400);
      expect((await json<{ error: { message: string } }>(res)).error.message, path).toMatch(reason);
    }
    const page = await h.request(`/billing?month=${month(1)}`, { as: "billing" });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("has not begun");
  });
});
