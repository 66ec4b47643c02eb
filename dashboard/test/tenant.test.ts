/**
 * Tenant page figures, by hand from the fixture: alpha in the last day has outcomes
 * ok 1+4 = 5, exception 3 (one folded point of 3), exceededCpu 2 (sample interval 2);
 * statuses 200 → 5, 500 → 3, none → 2; one CPU violation row (limit 10 ms, plan free,
 * 2 invocations); CPU 60 ms, wall 5+40+60+24 = 129 ms.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TenantPage } from "../src/views/tenant.ts";
import { harness, json } from "./helpers.ts";

describe("tenant page", () => {
  it("gives usage, outcomes, status codes, violations with the limit in force, and latest exceptions", async () => {
    await env.PLANS.put("tenant:alpha", JSON.stringify({ plan: "free" }));
    const h = harness();
    const res = await h.request("/api/tenants/alpha?range=24h", { as: "support" });
    expect(res.status).toBe(200);
    const t = await json<TenantPage>(res);
    // Written straight to KV above, not through the audit log: flagged as such.
    expect(t.assignment).toEqual({ plan: "free", suspended: false, source: "kv", outside: true });
    expect(t.plan).toEqual({ plan: "free", limits: { cpuMs: 10, subRequests: 10 }, source: "builtin" });
    const b = t.usage.breakdown;
    // The dispatcher's 3 answers (403, suspended) are requests, not invocations.
    expect(b.totals).toEqual({ invocations: 10, requests: 13, cpuMs: 60, wallMs: 129 });
    expect(b.outcomes).toEqual([
      { outcome: "ok", invocations: 5 },
      { outcome: "exception", invocations: 3 },
      { outcome: "exceededCpu", invocations: 2 },
    ]);
    // What the clients got: the CPU limit was a 503, the suspension a 403.
    expect(b.statuses).toEqual([
      { status: 200, requests: 5 },
      { status: 403, requests: 3 },
      { status: 500, requests: 3 },
      { status: 503, requests: 2 },
    ]);
    expect(b.violations).toEqual([{ violation: "cpu", cpuLimitMs: 10, subrequestLimit: 10, plan: "free", invocations: 2 }]);
    expect(t.errors.groups.map((g) => [g.outcome, g.name, g.code, g.message, g.requests, g.statuses])).toEqual([
      // Equal counts: the earlier first seen first (the suspension began 11 minutes ago).
      ["", "", "tenant_suspended", 'Tenant "alpha" is suspended.', 3, [{ status: 403, requests: 3 }]],
      ["exception", "TypeError", "", "boom <script>alert(1)</script>", 3, [{ status: 500, requests: 3 }]],
      ["exceededCpu", "Error", "cpu_limit_exceeded", "Worker exceeded CPU time limit.", 2, [{ status: 503, requests: 2 }]],
    ]);
    expect(t.errors.groups[0]?.firstSeen).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const usage = t.usage.series.outcomes.reduce((n, o) => n + o.total, 0);
    expect(usage).toBe(10);
    // Four round trips (series, breakdown, error groups, their trend); every one filtered to the tenant in SQL.
    expect(h.sent).toHaveLength(4);
    for (const sql of h.sent) expect(sql).toContain("index1 = 'alpha'");
  });

  it("shows a subrequest violation with its limit, and the default plan without a KV record", async () => {
    const t = await json<TenantPage>(await harness().request("/api/tenants/beta?range=1h", { as: "operator" }));
    expect(t.assignment).toEqual({ plan: "free", suspended: false, source: "default" });
    expect(t.usage.breakdown.violations).toEqual([{ violation: "subrequests", cpuLimitMs: 50, subrequestLimit: 100, plan: "pro", invocations: 1 }]);
  });

  it("shows suspension and a custom plan from KV", async () => {
    await env.PLANS.put("plan:gold", JSON.stringify({ cpuMs: 75, subRequests: 300 }));
    await env.PLANS.put("tenant:gamma", JSON.stringify({ plan: "gold", suspended: true }));
    const res = await harness().request("/tenants/gamma?range=30d", { as: "support" });
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('data-figure="plan">gold<');
    expect(page).toContain("75 ms CPU, 300 subrequests");
    expect(page).toContain('data-figure="suspended">suspended<');
    expect(page).toContain('data-figure="invocations">4<');
  });

  it("escapes tenant data in the page (exception messages are the tenant's text)", async () => {
    const page = await (await harness().request("/tenants/alpha?range=1h", { as: "support" })).text();
    expect(page).toContain("boom &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)</script>");
    for (const id of ["tenant-usage", "tenant-outcomes", "tenant-statuses"]) expect(page).toContain(`<canvas id="${id}" role="img" aria-label="`);
    // People read labels, not codes: exceededCpu is "CPU limit exceeded"; its client got the 503.
    expect(page).toContain("<td>CPU limit exceeded</td>");
    expect(page).toContain("<td>503</td>");
    expect(page).not.toContain("<td>exceededCpu</td>");
  });

  it("answers a known tenant without data in the window with empty tables, not an error", async () => {
    // gamma has invocations 30 minutes and 10 days ago: none in the last 15 minutes, but it is a tenant.
    const h = harness();
    const t = await json<TenantPage>(await h.request("/api/tenants/gamma?range=15m", { as: "support" }));
    expect(t.usage.breakdown.totals.invocations).toBe(0);
    expect(t.errors.groups).toEqual([]);
    expect(h.sent.filter((sql) => sql.includes("index1 = 'gamma'"))).toHaveLength(h.sent.length);
  });
});
