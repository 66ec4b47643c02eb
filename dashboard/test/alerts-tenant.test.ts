/**
 * Tenant pages and alerts: the tenant's firing alerts (never another tenant's, even from
 * an evaluator that answers more than asked), and a quota rule's stop: shown while it
 * holds, kept by plan changes, lifted by operators of the whole platform only.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FakeAlerts } from "./alert-fixtures.ts";
import { JSON_BODY, bindAlerts, latestEntry, putJson } from "./alert-helpers.ts";
import { harness, json } from "./helpers.ts";

describe("tenant pages", () => {
  it("show the tenant's firing alerts with their rule's name, to support too", async () => {
    const h = harness();
    await putJson(h, "/api/alerts/rules/errors", { name: "Error rate", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.2 } });
    const t = await json<{ alerts: unknown }>(await h.request("/api/tenants/alpha?range=7d", { as: "operator" }));
    expect(t.alerts).toEqual({ firing: [expect.objectContaining({ rule: "errors", tenant: "alpha", name: "Error rate", kind: "error_rate", value: 0.35 })] });
    const page = await (await h.request("/tenants/alpha?range=7d", { as: "support" })).text();
    expect(page).toContain('Active alerts (<span data-figure="active-alerts">1</span>)');
    expect(page).toMatch(/<td>Error rate<\/td><td class="time">2026-12-01T09:55:00.000Z<\/td><td class="num">35.0%<\/td>/);
    expect(await (await h.request("/tenants/beta?range=7d", { as: "operator" })).text()).toContain("No alert is firing for this tenant.");
  });

  it("never show another tenant's alert, even if the evaluator answers more than asked", async () => {
    const h = harness({}, bindAlerts(new FakeAlerts({ leaky: true })));
    const t = await json<{ alerts: { firing: { tenant: string }[] } }>(await h.request("/api/tenants/alpha?range=7d", { as: "scopedSupport" }));
    expect(t.alerts.firing.map((s) => s.tenant)).toEqual(["alpha"]);
  });

  it("show a quota stop while it holds; a plan change keeps it, a lift ends it, audited", async () => {
    const h = harness({ now: () => Date.parse("2026-12-01T12:00:00Z") });
    const stop = { until: "2026-12-31T00:00:00.000Z", rule: "cap" };
    await env.PLANS.put("tenant:beta", JSON.stringify({ plan: "pro", stop }));
    try {
      const page = await (await h.request("/tenants/beta?range=7d", { as: "operator" })).text();
      expect(page).toContain("quota rule cap until 2026-12-31T00:00:00.000Z: the dispatcher answers 429 quota_exceeded");
      expect(page).toContain('action="/tenants/beta/lift-stop"');
      expect(await (await h.request("/tenants/beta?range=7d", { as: "support" })).text()).not.toContain("lift-stop");
      expect((await putJson(h, "/api/tenants/beta/assignment", { plan: "free" })).status).toBe(200);
      expect(JSON.parse((await env.PLANS.get("tenant:beta")) ?? "null")).toEqual({ plan: "free", stop });
      expect((await h.request("/tenants/beta/lift-stop", { method: "POST", as: "scopedOperator" })).status).toBe(403);
      expect((await h.request("/tenants/beta/lift-stop", { method: "POST", as: "operator" })).status).toBe(303);
      expect(JSON.parse((await env.PLANS.get("tenant:beta")) ?? "null")).toEqual({ plan: "free" });
      expect(await latestEntry("tenant:beta")).toMatchObject({ actor: "olga", via: "dashboard", action: "assignment", new: '{"plan":"free"}' });
    } finally {
      await env.PLANS.delete("tenant:beta");
    }
  });

  it("lift a stop that gave the tenant its first record back to no record, so it follows DEFAULT_PLAN", async () => {
    const h = harness({ now: () => Date.parse("2026-12-01T12:00:00Z") });
    await env.PLANS.put("tenant:delta", JSON.stringify({ plan: "free", stop: { until: "2026-12-31T00:00:00.000Z", rule: "cap", fromDefault: true } }));
    try {
      expect((await h.request("/tenants/delta/lift-stop", { method: "POST", as: "operator" })).status).toBe(303);
      expect(await env.PLANS.get("tenant:delta")).toBeNull();
      expect(await latestEntry("tenant:delta")).toMatchObject({ actor: "olga", action: "assignment", new: null });
    } finally {
      await env.PLANS.delete("tenant:delta");
    }
  });

  it("let an operator scoped to the tenant change its plan, never its stop", async () => {
    const h = harness();
    const stop = { until: "2099-01-01T00:00:00.000Z", rule: "cap" };
    await env.PLANS.put("tenant:gamma", JSON.stringify({ plan: "pro", stop }));
    try {
      const put = (value: unknown): Promise<Response> => h.request("/api/tenants/gamma/assignment", { method: "PUT", as: "scopedOperator", headers: JSON_BODY, body: JSON.stringify(value) });
      expect((await put({ plan: "free" })).status).toBe(200);
      expect(JSON.parse((await env.PLANS.get("tenant:gamma")) ?? "null")).toEqual({ plan: "free", stop });
      const lifted = await put({ plan: "free", stop: { until: "2000-01-01T00:00:00.000Z", rule: "cap" } });
      expect(lifted.status).toBe(403);
      expect((await json<{ error: { message: string } }>(lifted)).error.message).toContain("change the quota stop");
    } finally {
      await env.PLANS.delete("tenant:gamma");
    }
  });
});
