/**
 * Plans over the last 7 days, by hand from the fixture:
 * free (alpha): 10 invocations, 2 CPU violations (rate 0.2); CPU values 2×1, 4×4, 6×3,
 *   12×2 → p50 4, p95 12, p99 12; histogram bins [2,5) 5, [5,10) 3, [10,20) 2.
 * pro (beta 21, gamma 1): 22 invocations, 1 subrequest violation; values 1×1, 5×1,
 *   20×10, 30×10 → p50 20, p95 30, p99 30; 2 active tenants.
 * "(mixed)": the overflow fold, 5 invocations, listed apart.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseAssignmentRecord, parsePlanRecord } from "@tenantscope/core/plans";
import type { AuditEntry } from "@tenantscope/core/audit";
import type { PlansData } from "../src/views/plans.ts";
import { activeByLatestPlan } from "../src/queries/plans.ts";
import { harness, json, login } from "./helpers.ts";

describe("plans page", () => {
  it("gives each plan's limits, CPU percentiles, histogram, violation rate and active tenants", async () => {
    const h = harness();
    const d = await json<PlansData>(await h.request("/api/plans?range=7d", { as: "operator" }));
    const plan = (name: string): PlansData["plans"][number] | undefined => d.plans.find((p) => p.plan === name);
    expect(plan("free")?.limits).toEqual({ cpuMs: 10, subRequests: 10 });
    expect(plan("free")?.stats).toMatchObject({ invocations: 10, violations: 2, cpuViolations: 2, subrequestViolations: 0, violationRate: 0.2, cpuMsP50: 4, cpuMsP95: 12, cpuMsP99: 12, activeTenants: 1 });
    expect(plan("free")?.stats?.histogram.slice(0, 7)).toEqual([0, 0, 0, 5, 3, 2, 0]);
    expect(plan("pro")?.stats).toMatchObject({ invocations: 22, violations: 1, subrequestViolations: 1, cpuMsP50: 20, cpuMsP95: 30, cpuMsP99: 30, activeTenants: 2 });
    expect(plan("pro")?.stats?.violationRate).toBeCloseTo(1 / 22, 10);
    expect(plan("enterprise")?.stats).toBeNull();
    expect(d.otherPlans.map((o) => [o.plan, o.invocations])).toEqual([["(mixed)", 5]]);
    // alpha, beta, gamma: the overflow fold is no tenant.
    expect(d.activeTenants).toBe(3);
    // The plan statistics' three queries, and this month's usage for the margins.
    expect(h.sent).toHaveLength(4);
  });

  it("counts a tenant that changed plan once, under its latest plan", () => {
    const { byPlan, tenants } = activeByLatestPlan([
      { plan: "free", tenant: "moved", last: "2026-11-20 10:00:00" },
      { plan: "pro", tenant: "moved", last: "2026-11-21 09:00:00" },
      { plan: "free", tenant: "stayed", last: "2026-11-21 12:00:00" },
      { plan: "enterprise", tenant: "tie", last: "2026-11-21 12:00:00" },
      { plan: "pro", tenant: "tie", last: "2026-11-21 12:00:00" },
      { plan: "(mixed)", tenant: "~overflow", last: "2026-11-21 12:00:00" },
    ]);
    expect(Object.fromEntries(byPlan)).toEqual({ pro: 2, free: 1 });
    expect(tenants).toBe(3);
  });

  it("answers the CPU what-if from the data: share of invocations and of tenants over a proposed limit", async () => {
    const h = harness();
    const free = await json<PlansData>(await h.request("/api/plans?range=7d&whatif=free&cpuMs=5", { as: "operator" }));
    // Over 5 ms: the 6 ms (×3) and 12 ms (×2) invocations of alpha. The 12 ms ones already
    // fail at today's 10 ms (violation cpu): 3 new failures, 3 of alpha's 10 invocations.
    expect(free.whatIf?.cpu).toEqual({
      proposedMs: 5, invocationsOver: 5, invocationShare: 0.5, tenantsOver: 1, tenantShare: 1,
      alreadyFailing: 2, newFailures: 3, newShare: 0.3,
      newlyFailing: [{ tenant: "alpha", newFailures: 3, invocations: 10, share: 0.3 }],
    });
    const pro = await json<PlansData>(await h.request("/api/plans?range=7d&whatif=pro&cpuMs=25", { as: "operator" }));
    // Over 25 ms: beta's 30 ms points (10 invocations), none failing today; beta has 21 on pro, gamma 1.
    expect(pro.whatIf).toMatchObject({ invocations: 22, tenants: 2, cpu: { invocationsOver: 10, tenantsOver: 1, tenantShare: 0.5, alreadyFailing: 0, newFailures: 10 } });
    expect(pro.whatIf?.cpu?.invocationShare).toBeCloseTo(10 / 22, 10);
    expect(pro.whatIf?.cpu?.newlyFailing).toEqual([{ tenant: "beta", newFailures: 10, invocations: 21, share: 10 / 21 }]);
    const page = await (await h.request("/plans?range=7d&whatif=free&cpuMs=5", { as: "operator" })).text();
    expect(page).toContain("<b>3</b> new failures");
    expect(page).toContain("on top of <b>2</b> CPU failures already happening");
    expect(page).toContain('<td><a href="/tenants/alpha">alpha</a></td><td class="num">3</td><td class="num">30');
    // Each plan card has its own what-if, which answers into the same section.
    expect(page).toMatch(/<section class="plan" id="plan-pro">[\s\S]*?<input type="hidden" name="whatif" value="pro">[\s\S]*?<button type="submit">What if<\/button>/);
  });

  it("says the subrequest what-if is unavailable, and gives only the lower bound the data proves", async () => {
    const h = harness();
    const lower = await json<PlansData>(await h.request("/api/plans?range=7d&whatif=pro&subRequests=50", { as: "operator" }));
    expect(lower.whatIf?.subRequests).toMatchObject({ proposed: 50, available: false, atLeastInvocations: 1 });
    const higher = await json<PlansData>(await h.request("/api/plans?range=7d&whatif=pro&subRequests=200", { as: "operator" }));
    expect(higher.whatIf?.subRequests?.atLeastInvocations).toBe(0);
    const page = await (await h.request("/plans?range=7d&whatif=pro&subRequests=50", { as: "operator" })).text();
    expect(page).toContain("Traces carry no subrequest count");
  });

  it("draws each plan's limit on its histogram", async () => {
    const page = await (await harness().request("/plans?range=7d&whatif=free&cpuMs=5", { as: "operator" })).text();
    const charts = JSON.parse(/id="chart-data">(.*?)<\/script>/s.exec(page)?.[1] ?? "[]") as { id: string; markers: { bin: number; fraction: number; label: string }[] }[];
    const free = charts.find((c) => c.id === "hist-free");
    // 10 ms is the lower edge of bin [10, 20) (index 5); 5 ms the lower edge of [5, 10).
    expect(free?.markers).toEqual([
      { bin: 5, fraction: 0, label: "limit 10 ms" },
      { bin: 4, fraction: 0, label: "proposed 5 ms" },
    ]);
  });
});

describe("plan edits", () => {
  it("writes plan limits to KV in core's format and records who, when, old and new", async () => {
    const h = harness();
    const res = await h.request("/api/plans/silver", { method: "PUT", as: "operator", body: JSON.stringify({ cpuMs: 40, subRequests: 60 }) });
    expect(res.status).toBe(200);
    const stored = await env.PLANS.get("plan:silver");
    expect(stored).toBe('{"cpuMs":40,"subRequests":60}');
    expect(parsePlanRecord(stored ?? "")).toEqual({ ok: true, value: { cpuMs: 40, subRequests: 60 } });
    await h.request("/api/plans/silver", { method: "PUT", as: "operator", body: JSON.stringify({ cpuMs: 45, subRequests: 60 }) });
    const { entries } = await json<{ entries: AuditEntry[] }>(await h.request("/api/audit", { as: "operator" }));
    const silver = entries.filter((e) => e.key === "plan:silver");
    expect(silver.map((e) => [e.actor, e.old, e.new])).toEqual([
      ["olga", '{"cpuMs":40,"subRequests":60}', '{"cpuMs":45,"subRequests":60}'],
      ["olga", null, '{"cpuMs":40,"subRequests":60}'],
    ]);
    expect(Date.now() - Date.parse(silver[0]?.at ?? "")).toBeLessThan(60_000);
  });

  it("assigns a tenant through the form and shows the change in the audit log on the page", async () => {
    const h = harness();
    const { cookie, csrf } = await login(h, "operator");
    // delta has never had traffic: confirmed with "force" (guard.test.ts covers the refusal).
    const res = await h.request("/assignments", {
      method: "POST",
      cookie,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
      body: new URLSearchParams({ _csrf: csrf, tenant: "delta", plan: "pro", suspended: "true", force: "on" }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/plans?saved=tenant%3Adelta");
    const stored = await env.PLANS.get("tenant:delta");
    expect(stored).toBe('{"plan":"pro","suspended":true}');
    expect(parseAssignmentRecord(stored ?? "")).toEqual({ ok: true, value: { plan: "pro", suspended: true } });
    const page = await (await h.request("/plans?saved=tenant%3Adelta", { cookie })).text();
    expect(page).toContain("Saved tenant:delta.");
    // No record before: the old value is the default plan's assignment, said so.
    expect(page).toContain("<td>dashboard</td><td><code>tenant:delta</code></td><td><code>{&quot;plan&quot;:&quot;free&quot;}</code> (default, no KV record)</td><td><code>{&quot;plan&quot;:&quot;pro&quot;,&quot;suspended&quot;:true}</code>");
  });

  it("lets an operator scoped to one tenant pick a built-in plan, but not suspend it or pick a custom plan", async () => {
    const h = harness();
    await env.PLANS.put("plan:custom-for-someone", JSON.stringify({ cpuMs: 200, subRequests: 500 }));
    await env.PLANS.put("tenant:gamma", JSON.stringify({ plan: "free", suspended: true }));
    const put = (body: object) => h.request("/api/tenants/gamma/assignment", { method: "PUT", as: "scopedOperator", body: JSON.stringify(body) });
    expect((await put({ plan: "pro", suspended: false })).status).toBe(403);
    expect((await put({ plan: "custom-for-someone", suspended: true })).status).toBe(403);
    expect(await env.PLANS.get("tenant:gamma")).toBe('{"plan":"free","suspended":true}');
    expect((await put({ plan: "pro", suspended: true })).status).toBe(200);
    expect(await env.PLANS.get("tenant:gamma")).toBe('{"plan":"pro","suspended":true}');
    // An operator of the whole platform may do both.
    const global = await h.request("/api/tenants/gamma/assignment", { method: "PUT", as: "operator", body: JSON.stringify({ plan: "custom-for-someone", suspended: false }) });
    expect(global.status).toBe(200);
    await env.PLANS.delete("tenant:gamma");
  });

  it("saves limits from the plan form and writes an unsuspended assignment without the flag", async () => {
    const h = harness();
    const { cookie, csrf } = await login(h, "operator");
    const form = (body: Record<string, string>): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
      body: new URLSearchParams({ _csrf: csrf, ...body }).toString(),
    });
    // "Save limits" first shows the impact (7 days; at 5 ms: alpha's 3 new failures), saving nothing.
    const ask = await h.request("/plans/free", { ...form({ cpuMs: "5", subRequests: "15" }), cookie });
    expect(ask.status).toBe(200);
    const impact = await ask.text();
    expect(impact).toContain("<b>3</b> new failures");
    expect(impact).toContain('<a href="/tenants/alpha">alpha</a>');
    expect(impact).toContain('<input type="hidden" name="confirm" value="on">');
    expect(await env.PLANS.get("plan:free")).toBeNull();
    expect((await h.request("/plans/free", { ...form({ cpuMs: "12", subRequests: "15", confirm: "on" }), cookie })).status).toBe(303);
    expect(await env.PLANS.get("plan:free")).toBe('{"cpuMs":12,"subRequests":15}');
    // A rejected value stays in the form, with the reason beside it; nothing is saved.
    const bad = await h.request("/plans/free", { ...form({ cpuMs: "12x", subRequests: "15" }), cookie });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('<input name="cpuMs" inputmode="numeric" value="12x" size="7" aria-describedby="rejected-free">');
    expect(page).toContain('<span class="error" role="alert" id="rejected-free">Not saved: cpuMs must be an integer from 1 to 300000.</span>');
    expect(await env.PLANS.get("plan:free")).toBe('{"cpuMs":12,"subRequests":15}');
    expect((await h.request("/tenants/epsilon/assignment", { ...form({ plan: "free", force: "on" }), cookie })).status).toBe(303);
    expect(await env.PLANS.get("tenant:epsilon")).toBe('{"plan":"free"}');
  });

  it("refuses invalid limits, unknown plans and unknown fields with a clear 400, writing nothing", async () => {
    const h = harness();
    const put = (path: string, body: unknown): Promise<Response> => h.request(path, { method: "PUT", as: "operator", body: JSON.stringify(body) });
    const cases: [string, unknown, RegExp][] = [
      ["/api/plans/bronze", { cpuMs: 0, subRequests: 5 }, /cpuMs must be an integer from 1 to 300000/],
      ["/api/plans/bronze", { cpuMs: 1.5, subRequests: 5 }, /cpuMs/],
      ["/api/plans/bronze", { cpuMs: 10, subRequests: 5, memory: 128 }, /unknown plan field "memory"/],
      ["/api/plans/bronze", { cpuMs: "10", subRequests: 5 }, /cpuMs/],
      ["/api/tenants/zeta/assignment", { plan: "no-such-plan" }, /There is no plan "no-such-plan"/],
      ["/api/tenants/zeta/assignment", { plan: "free", suspended: "yes" }, /suspended must be true or false/],
    ];
    for (const [path, body, message] of cases) {
      const res = await put(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(message);
    }
    expect(await env.PLANS.get("plan:bronze")).toBeNull();
    expect(await env.PLANS.get("tenant:zeta")).toBeNull();
    const bad = await h.request("/api/plans/bronze", { method: "PUT", as: "operator", body: "{not json" });
    expect(bad.status).toBe(400);
  });
});
