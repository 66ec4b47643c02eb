/**
 * Overview figures against the fixture (test/fixtures.ts), computed by hand:
 * last hour: alpha 1+4+3+2 = 10 requests (errors 3 exception + 2 exceededCpu; 2 cpu
 * violations; CPU 2+16+18+24 = 60 ms; weighted p95 of 2×1, 4×4, 6×3, 12×2 = 12),
 * beta 10+1 = 11 (1 error, 1 subrequest violation; CPU 200+5 = 205; p95 20),
 * gamma 1, ~overflow 5 (outcome "(mixed)": neither ok nor an error).
 */
import { describe, expect, it } from "vitest";
import type { Overview } from "../src/queries/overview.ts";
import { harness, json } from "./helpers.ts";

const byTenant = (o: Overview): Record<string, Overview["tenants"][number]> => Object.fromEntries(o.tenants.map((t) => [t.tenant, t]));

describe("overview", () => {
  it("gives each tenant's figures for the last hour, sampling-corrected", async () => {
    const h = harness();
    const res = await h.request("/api/overview?range=1h", { as: "support" });
    expect(res.status).toBe(200);
    const o = await json<Overview>(res);
    const t = byTenant(o);
    expect(t.alpha).toEqual({ tenant: "alpha", linkable: true, requests: 10, errors: 5, errorRate: 0.5, violations: 2, cpuMsTotal: 60, cpuMsP95: 12 });
    expect(t.beta).toMatchObject({ requests: 11, errors: 1, violations: 1, cpuMsTotal: 205, cpuMsP95: 20 });
    expect(t.beta?.errorRate).toBeCloseTo(1 / 11, 10);
    expect(t.gamma).toMatchObject({ requests: 1, errors: 0, violations: 0, cpuMsTotal: 1 });
    expect(t["~overflow"]).toMatchObject({ linkable: false, requests: 5, errors: 0, violations: 0, cpuMsTotal: 10 });
    expect(o.totals).toEqual({ requests: 27, errors: 6, errorRate: 6 / 27 });
    // Default sort: requests, descending.
    expect(o.tenants.map((r) => r.tenant)).toEqual(["beta", "alpha", "~overflow", "gamma"]);
    // Two round trips: the series and the table.
    expect(h.sent).toHaveLength(2);
  });

  it("stacks requests by outcome over every bucket of the range", async () => {
    const o = await json<Overview>(await harness().request("/api/overview?range=1h&bucket=5m", { as: "operator" }));
    expect(o.series.buckets.length).toBeGreaterThanOrEqual(12);
    expect(o.series.buckets.length).toBeLessThanOrEqual(13);
    const totals = Object.fromEntries(o.series.outcomes.map((s) => [s.outcome, s.total]));
    expect(totals).toEqual({ ok: 1 + 4 + 10 + 1, exception: 3 + 1, exceededCpu: 2, "(mixed)": 5 });
    for (const s of o.series.outcomes) expect(s.counts).toHaveLength(o.series.buckets.length);
  });

  it("widens with the range: 7 d adds beta's 10 invocations of 3 days ago, 30 d gamma's 3", async () => {
    const h = harness();
    const week = byTenant(await json<Overview>(await h.request("/api/overview?range=7d", { as: "support" })));
    expect(week.beta).toMatchObject({ requests: 21, cpuMsTotal: 505, cpuMsP95: 30 });
    expect(week.gamma?.requests).toBe(1);
    const month = byTenant(await json<Overview>(await h.request("/api/overview?range=30d", { as: "support" })));
    expect(month.gamma).toMatchObject({ requests: 4, cpuMsTotal: 10 });
  });

  it("sorts by any column, both ways, with the tenant name breaking ties, and limits rows", async () => {
    const h = harness();
    const rate = await json<Overview>(await h.request("/api/overview?range=1h&sort=error_rate&dir=desc", { as: "support" }));
    expect(rate.tenants.map((r) => r.tenant)).toEqual(["alpha", "beta", "gamma", "~overflow"]);
    const name = await json<Overview>(await h.request("/api/overview?range=1h&sort=tenant&dir=asc&limit=2", { as: "support" }));
    expect(name.tenants.map((r) => r.tenant)).toEqual(["alpha", "beta"]);
    const p95 = await json<Overview>(await h.request("/api/overview?range=1h&sort=cpu_ms_p95&dir=asc", { as: "support" }));
    expect(p95.tenants[0]?.tenant).toBe("gamma");
  });

  it("renders the page with the same figures, sortable links, tenant links and the chart data", async () => {
    const res = await harness().request("/?range=1h", { as: "support" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain('data-figure="requests">27<');
    expect(page).toContain('<a href="/tenants/alpha?range=1h">alpha</a>');
    expect(page).not.toContain('href="/tenants/~overflow');
    expect(page).toContain("sort=error_rate");
    const charts = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(page)?.[1] ?? "[]") as { id: string; datasets: { data: number[] }[] }[];
    expect(charts.map((c) => c.id)).toEqual(["overview-series"]);
    const drawn = charts[0]?.datasets.flatMap((d) => d.data).reduce((a, b) => a + b, 0);
    expect(drawn).toBe(27);
  });
});
