/**
 * The one audit log in the plans KV (core/src/audit.ts): an override of a built-in plan
 * records the built-in value as old; a direct KV write (no tenantscope hash) is flagged
 * "changed outside tenantscope" on the plans page, the tenant page and in the next entry;
 * entries the CLI wrote (via "cli") are in the same log.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { applyChange, type AuditEntry } from "@tenantscope/core/audit";
import { bindingKv } from "../src/audit.ts";
import type { PlansData } from "../src/views/plans.ts";
import { harness, json } from "./helpers.ts";

const putPlan = (h: ReturnType<typeof harness>, plan: string, body: object): Promise<Response> =>
  h.request(`/api/plans/${plan}`, { method: "PUT", as: "operator", body: JSON.stringify(body) });

async function log(h: ReturnType<typeof harness>): Promise<AuditEntry[]> {
  return (await json<{ entries: AuditEntry[] }>(await h.request("/api/audit", { as: "operator" }))).entries;
}

describe("audit log", () => {
  it("records the built-in value as old when a built-in plan gets its first KV record", async () => {
    const h = harness();
    const saved = await json<{ saved: AuditEntry }>(await putPlan(h, "enterprise", { cpuMs: 400, subRequests: 1000 }));
    expect(saved.saved).toMatchObject({ actor: "olga", via: "dashboard", key: "plan:enterprise", old: '{"cpuMs":500,"subRequests":1000}', oldSource: "builtin", new: '{"cpuMs":400,"subRequests":1000}', outside: false });
    const page = await (await h.request("/plans", { as: "operator" })).text();
    expect(page).toContain("<code>{&quot;cpuMs&quot;:500,&quot;subRequests&quot;:1000}</code> (built-in, no KV record)");
    await env.PLANS.delete("plan:enterprise");
  });

  it("flags a plan and an assignment written straight to KV, and marks the entry that replaces them", async () => {
    const h = harness();
    await putPlan(h, "enterprise", { cpuMs: 400, subRequests: 1000 });
    const before = await json<PlansData>(await h.request("/api/plans", { as: "operator" }));
    expect(before.plans.find((p) => p.plan === "enterprise")?.outside).toBe(false);
    // What `wrangler kv key put plan:enterprise …` does: a value with no tenantscope metadata.
    await env.PLANS.put("plan:enterprise", '{"cpuMs":1,"subRequests":1}');
    const after = await json<PlansData>(await h.request("/api/plans", { as: "operator" }));
    expect(after.plans.find((p) => p.plan === "enterprise")?.outside).toBe(true);
    expect(await (await h.request("/plans", { as: "operator" })).text()).toMatch(/<section class="plan" id="plan-enterprise">[\s\S]*?changed outside tenantscope[\s\S]*?<\/section>/);
    // A value that keeps the metadata but not the value written is caught by the hash.
    const { metadata } = await env.PLANS.getWithMetadata("plan:pro");
    expect(metadata).toBeNull();
    await putPlan(h, "enterprise", { cpuMs: 450, subRequests: 1000 });
    const [latest] = await log(h);
    expect(latest).toMatchObject({ key: "plan:enterprise", old: '{"cpuMs":1,"subRequests":1}', outside: true, new: '{"cpuMs":450,"subRequests":1000}' });
    const kept = await env.PLANS.getWithMetadata<Record<string, string>>("plan:enterprise");
    await env.PLANS.put("plan:enterprise", '{"cpuMs":2,"subRequests":1}', { metadata: kept.metadata });
    expect((await json<PlansData>(await h.request("/api/plans", { as: "operator" }))).plans.find((p) => p.plan === "enterprise")?.outside).toBe(true);
    await env.PLANS.delete("plan:enterprise");

    await env.PLANS.put("tenant:alpha", '{"plan":"pro"}');
    const tenant = await json<{ assignment: { plan: string; outside?: boolean } }>(await h.request("/api/tenants/alpha?range=7d", { as: "operator" }));
    expect(tenant.assignment).toMatchObject({ plan: "pro", outside: true });
    expect(await (await h.request("/tenants/alpha?range=7d", { as: "operator" })).text()).toContain("changed outside tenantscope: not in the audit log");
    await env.PLANS.delete("tenant:alpha");
  });

  it("shows the CLI's entries in the same log, newest first, with who and via", async () => {
    const h = harness();
    const kv = bindingKv(env.PLANS);
    await applyChange(kv, { actor: "ci-bot@runner", via: "cli", action: "assignment", key: "tenant:beta", value: '{"plan":"enterprise"}', fallback: { value: '{"plan":"free"}', source: "default" } }, Date.now() + 1000);
    const [first] = await log(h);
    expect(first).toMatchObject({ actor: "ci-bot@runner", via: "cli", key: "tenant:beta", old: '{"plan":"free"}', oldSource: "default" });
    expect(await (await h.request("/plans", { as: "operator" })).text()).toContain("<td>ci-bot@runner</td><td>cli</td><td><code>tenant:beta</code></td>");
    // A scoped operator sees only their own tenant's entries.
    const scoped = await json<{ entries: AuditEntry[] }>(await h.request("/api/audit", { as: "scopedOperator" }));
    expect(scoped.entries.every((e) => e.key === "tenant:gamma")).toBe(true);
    expect(scoped.entries.some((e) => e.key === "tenant:beta")).toBe(false);
    await env.PLANS.delete("tenant:beta");
  });
});
