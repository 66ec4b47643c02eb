/**
 * Billing totals equal the raw stored counts: each imported point stands for
 * _sample_interval × invocations invocations (1+4+3+2 + 10+1+10 + 1+3 + 5 = 40 over
 * 10 points), and the page's total must be that, not the 10 points.
 */
import { describe, expect, it } from "vitest";
import type { Billing } from "../src/queries/billing.ts";
import { FIXTURE, rawInvocations } from "./fixtures.ts";
import { DAY, anchorMs, day, harness, json } from "./helpers.ts";

const allDays = (): string => `from=${day(anchorMs() - 11 * DAY)}&to=${day(anchorMs())}`;

describe("billing", () => {
  it("totals equal the raw stored invocations, including points with _sample_interval > 1 and folded points", async () => {
    const h = harness();
    const b = await json<Billing>(await h.request(`/api/billing?${allDays()}`, { as: "billing" }));
    expect(rawInvocations(FIXTURE)).toBe(40);
    expect(FIXTURE.some((p) => p.sampleInterval > 1)).toBe(true);
    expect(b.totals.invocations).toBe(rawInvocations(FIXTURE));
    expect(b.rows).toEqual([
      { tenant: "alpha", invocations: 10, cpuMs: 60, wallMs: 129 },
      // 10×(1×30) + 1×100 + 5×2×40
      { tenant: "beta", invocations: 21, cpuMs: 505, wallMs: 800 },
      { tenant: "gamma", invocations: 4, cpuMs: 10, wallMs: 14 },
      { tenant: "~overflow", invocations: 5, cpuMs: 10, wallMs: 15 },
    ]);
    expect(b.totals).toEqual({ invocations: 40, cpuMs: 585, wallMs: 958 });
    expect(h.sent).toHaveLength(1);
  });

  it("defaults to the current calendar month (UTC) and counts exactly the points inside it", async () => {
    const b = await json<Billing>(await harness({ now: anchorMs }).request("/api/billing", { as: "billing" }));
    const start = new Date(anchorMs());
    const monthStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
    expect(b.period.from).toBe(new Date(monthStart).toISOString());
    const inMonth = FIXTURE.filter((p) => anchorMs() - p.agoMs >= monthStart);
    expect(b.totals.invocations).toBe(rawInvocations(inMonth));
  });

  it("downloads as CSV with a total row and as JSON", async () => {
    const res = await harness().request(`/api/billing.csv?${allDays()}`, { as: "billing" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tenantscope-billing-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv"$/);
    expect((await res.text()).split("\r\n")).toEqual([
      "tenant,invocations,cpu_ms,wall_ms",
      "alpha,10,60,129",
      "beta,21,505,800",
      "gamma,4,10,14",
      "~overflow,5,10,15",
      "TOTAL,40,585,958",
      "",
    ]);
  });

  it("renders the page with the total, download links and chart data", async () => {
    const page = await (await harness().request(`/billing?${allDays()}`, { as: "billing" })).text();
    expect(page).toContain('data-figure="total-invocations">40<');
    expect(page).toContain(`href="/api/billing.csv?${allDays().replace("&", "&amp;")}"`);
    expect(page).toContain('<canvas id="billing-invocations"');
  });

  it("takes a month, and rejects malformed or reversed periods with a clear 400", async () => {
    const h = harness();
    const month = await json<Billing>(await h.request("/api/billing?month=2026-02", { as: "billing" }));
    expect(month.period).toEqual({ from: "2026-02-01T00:00:00.000Z", to: "2026-03-01T00:00:00.000Z", label: "2026-02" });
    for (const q of ["month=2026-13", "month=2026-2", "from=2026-02-30&to=2026-03-01", "from=2026-03-02&to=2026-03-01", "from=2026-03-01", "month=2026-01&from=2026-01-01&to=2026-01-02"]) {
      const res = await h.request(`/api/billing?${q}`, { as: "billing" });
      expect(res.status, q).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("bad_request");
    }
  });
});
