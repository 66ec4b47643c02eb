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
const recent = FIXTURE.filter((p) => p.agoMs <= 11 * DAY);

describe("billing", () => {
  it("totals equal the raw stored invocations, including points with _sample_interval > 1 and folded points", async () => {
    const h = harness({ now: anchorMs });
    const b = await json<Billing>(await h.request(`/api/billing?${allDays()}`, { as: "billing" }));
    expect(rawInvocations(recent)).toBe(40);
    expect(FIXTURE.some((p) => p.sampleInterval > 1)).toBe(true);
    expect(b.totals.invocations).toBe(rawInvocations(recent));
    expect(b.rows).toMatchObject([
      // ok 1 + 4; failed: the folded exception (3) and the CPU violation (2 × 1).
      { customer: "alpha", tenant: "alpha", plan: "free", invocations: 10, ok: 5, failed: 5, cpuMs: 60, wallMs: 129 },
      // 10×(1×30) + 1×100 + 5×2×40
      { customer: "beta", tenant: "beta", plan: "pro", invocations: 21, ok: 20, failed: 1, cpuMs: 505, wallMs: 800 },
      { customer: "gamma", tenant: "gamma", plan: "pro", invocations: 4, ok: 4, failed: 0, cpuMs: 10, wallMs: 14 },
      // Outcomes of an overflow fold are mixed: neither ok nor failed.
      { customer: "~overflow", tenant: "~overflow", plan: "(mixed)", invocations: 5, ok: 0, failed: 0, cpuMs: 10, wallMs: 15 },
    ]);
    expect(b.totals).toEqual({ invocations: 40, ok: 29, failed: 6, cpuMs: 585, wallMs: 958 });
    expect(b.dataset).toBe("tenant_invocations");
    expect(b.exportedAt).toBe(new Date(anchorMs()).toISOString().replace(".000Z", "Z"));
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toContain("blob14 != 'dispatcher'");
  });

  it("defaults to the current calendar month (UTC) and counts exactly the points inside it", async () => {
    const b = await json<Billing>(await harness({ now: anchorMs }).request("/api/billing", { as: "billing" }));
    const start = new Date(anchorMs());
    const monthStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
    expect(b.period.start).toBe(new Date(monthStart).toISOString().replace(".000Z", "Z"));
    expect(b.period.complete).toBe(false);
    const inMonth = FIXTURE.filter((p) => anchorMs() - p.agoMs >= monthStart && p.row.pointKind !== "dispatcher");
    expect(b.totals.invocations).toBe(rawInvocations(inMonth));
  });

  it("downloads CSV with data rows only, carrying period, export time and dataset, and JSON as a named attachment", async () => {
    const h = harness({ now: anchorMs });
    const res = await h.request(`/api/billing.csv?${allDays()}`, { as: "billing" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tenantscope-usage-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv"$/);
    const lines = (await res.text()).split("\r\n");
    expect(lines[0]).toBe("customer,tenant,plan,period_start,period_end,invocations,ok,failed,cpu_ms,wall_ms,first_seen,last_seen,exported_at,dataset");
    expect(lines.at(-1)).toBe("");
    const data = lines.slice(1, -1).map((l) => l.split(","));
    expect(data.map((c) => c.slice(0, 3))).toEqual([["alpha", "alpha", "free"], ["beta", "beta", "pro"], ["gamma", "gamma", "pro"], ["~overflow", "~overflow", "(mixed)"]]);
    expect(lines.some((l) => /total/i.test(l))).toBe(false);
    // Summing the column gives the total: no row double-counts.
    expect(data.reduce((n, c) => n + Number(c[5]), 0)).toBe(40);
    const exported = new Date(anchorMs()).toISOString().replace(".000Z", "Z");
    for (const c of data) expect([c[3], c[4], c[12], c[13]]).toEqual([`${day(anchorMs() - 11 * DAY)}T00:00:00Z`, `${day(anchorMs() + DAY)}T00:00:00Z`, exported, "tenant_invocations"]);
    const api = await h.request(`/api/billing?${allDays()}`, { as: "billing" });
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    expect(api.headers.get("content-disposition")).toMatch(/^attachment; filename="tenantscope-usage-[\d_-]+\.json"$/);
  });

  it("renders the page with the totals, the month pre-filled, previous/next links and download links", async () => {
    const h = harness({ now: anchorMs });
    const page = await (await h.request(`/billing?${allDays()}`, { as: "billing" })).text();
    expect(page).toContain('data-figure="total-invocations">40<');
    expect(page).toContain(`href="/api/billing.csv?${allDays().replace("&", "&amp;")}"`);
    expect(page).toMatch(/<a href="\/api\/billing\?[^"]+" download="tenantscope-usage-[\d_-]+\.json">JSON<\/a>/);
    expect(page).toContain('<canvas id="billing-invocations"');
    const month = new Date(anchorMs()).toISOString().slice(0, 7);
    const monthPage = await (await h.request(`/billing?month=${month}`, { as: "billing" })).text();
    expect(monthPage).toContain(`name="month" value="${month}"`);
    const a = new Date(anchorMs());
    const prev = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    expect(monthPage).toContain(`<a href="/billing?month=${prev}" rel="prev" data-month="${prev}">`);
    // Next month has not begun: no link, and the reason in its title.
    expect(monthPage).toMatch(/<span class="muted" aria-disabled="true" title="[^"]*has not begun[^"]*">next month/);
  });

  it("takes a month, and rejects malformed or reversed periods with a clear 400", async () => {
    const h = harness({ now: anchorMs });
    const a = new Date(anchorMs());
    const label = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const month = await json<Billing>(await h.request(`/api/billing?month=${label}`, { as: "billing" }));
    expect(month.period).toMatchObject({ start: `${label}-01T00:00:00Z`, label, complete: true });
    for (const q of ["month=2026-13", "month=2026-2", "from=2026-02-30&to=2026-03-01", "from=2026-03-02&to=2026-03-01", "from=2026-03-01", "month=2026-01&from=2026-01-01&to=2026-01-02", "customer=a%27b", "customer=-x"]) {
      const res = await h.request(`/api/billing?${q}`, { as: "billing" });
      expect(res.status, q).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("bad_request");
    }
  });
});
