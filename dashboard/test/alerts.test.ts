/**
 * The Alerts page and its JSON twin: rules and webhooks from KV (audited edits, refused
 * values kept in the form with the reason beside the field, secrets never shown), the
 * evaluator's state through the ALERTS binding (the config's fake Worker over real RPC, or
 * an in-process fake), and a dashboard without an evaluator or with a failing one.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { AlertsData } from "../src/alerts/data.ts";
import { FailingAlerts } from "./alert-fixtures.ts";
import { FORM, SECRET, bindAlerts, latestEntry, post, putJson, ruleFields, withField } from "./alert-helpers.ts";
import { harness, json, login } from "./helpers.ts";

describe("alerts page with the evaluator", () => {
  it("lists KV rules and webhooks, and what fires now over RPC, newest first", async () => {
    const h = harness();
    expect((await putJson(h, "/api/alerts/webhooks/ops", { url: "https://hooks.example.com/in?token=t0ps3cret", secret: SECRET })).status).toBe(200);
    expect((await putJson(h, "/api/alerts/rules/errors", { name: "Error rate", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.2, minInvocations: 20 }, webhooks: ["ops"] })).status).toBe(200);
    const d = await json<AlertsData>(await h.request("/api/alerts", { as: "operator" }));
    expect(d.rules.find((r) => r.id === "errors")).toMatchObject({ ok: true, value: { name: "Error rate", webhooks: ["ops"], cooldownMinutes: 60 } });
    expect(d.webhooks.find((w) => w.id === "ops")).toEqual({ id: "ops", ok: true, value: { id: "ops", url: "https://hooks.example.com/in", format: "json", secret: `set (${SECRET.length} characters)` } });
    expect(d.evaluator).toMatchObject({ status: "ok" });
    if (d.evaluator.status !== "ok") throw new Error("no evaluator");
    expect(d.evaluator.firing.map((s) => [s.rule, s.tenant])).toEqual([["errors", "alpha"], ["cap", "gamma"]]);
    expect(d.evaluator.runs).toEqual([expect.objectContaining({ sqlQueries: 2, tenants: 3 })]);
    expect(JSON.stringify(d)).not.toContain(SECRET);
    expect(JSON.stringify(d)).not.toContain("t0ps3cret");
  });

  it("renders states, history, deliveries and runs, never a secret or a URL's query", async () => {
    const h = harness();
    await putJson(h, "/api/alerts/webhooks/ops", { url: "https://hooks.example.com/in?token=t0ps3cret", secret: SECRET });
    const res = await h.request("/alerts", { as: "operator" });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Firing now (<span data-figure="firing">2</span>)');
    expect(page).toMatch(/<a href="\/tenants\/alpha">alpha<\/a><\/td>\s*<td class="time">2026-12-01T09:55:00.000Z<\/td><td class="num">35.0%<\/td><td class="num">20.0%<\/td>/);
    expect(page).toContain("Every rule-and-tenant pair not listed is ok");
    expect(page).toContain('<b class="bad">stopped</b>');
    expect(page).toContain("pending, next try");
    expect(page).toContain('<span data-figure="sql-queries">2</span> SQL queries');
    expect(page).toContain("Send a test notification");
    expect(page).not.toContain(SECRET);
    expect(page).not.toContain("t0ps3cret");
    expect(page).toContain('<input id="webhook-secret" name="secret" type="password" autocomplete="new-password" size="20">');
  });

  it("sends a test notification through the binding and reports its delivery", async () => {
    const h = harness();
    await putJson(h, "/api/alerts/webhooks/tested", { url: "https://hooks.example.com/t", secret: SECRET });
    const res = await post(h, "/alerts/webhooks/tested/test", []);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/alerts?tested=tested#deliveries");
    const page = await (await h.request("/alerts?tested=tested", { as: "operator" })).text();
    expect(page).toContain("Test notification to tested: delivered after 1 attempt (HTTP 204).");
    const api = await h.request("/api/alerts/webhooks/tested/test", { method: "POST", as: "operator" });
    expect(await json<{ delivery: unknown }>(api)).toEqual({ delivery: expect.objectContaining({ webhook: "tested", event: "test", status: "delivered" }) });
    expect((await post(h, "/alerts/webhooks/nowhere/test", [])).status).toBe(404);
  });

  it("evaluates on demand", async () => {
    const h = harness();
    const res = await h.request("/api/alerts/evaluate", { method: "POST", as: "operator" });
    expect(await json<{ run: unknown }>(res)).toEqual({ run: expect.objectContaining({ at: "2026-12-01T10:01:00.000Z", error: null }) });
    expect((await post(h, "/alerts/evaluate", [])).headers.get("location")).toBe("/alerts?evaluated=1#runs");
  });
});

describe("alerts page without a working evaluator", () => {
  it("says the evaluator is not deployed, still lists and edits rules, and refuses a test with 501", async () => {
    const h = harness({}, bindAlerts(undefined));
    await putJson(h, "/api/alerts/rules/lonely", { name: "Lonely", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.5 } });
    const page = await (await h.request("/alerts", { as: "operator" })).text();
    expect(page).toContain("The alert evaluator is not deployed.");
    expect(page).toContain("lonely");
    expect(page).not.toContain("Send a test notification");
    expect(page).not.toContain("Firing now");
    await putJson(h, "/api/alerts/webhooks/ops", { url: "https://hooks.example.com/in", secret: SECRET });
    const test = await h.request("/api/alerts/webhooks/ops/test", { method: "POST", as: "operator" });
    expect(test.status).toBe(501);
    expect((await json<{ error: { code: string } }>(test)).error.code).toBe("not_configured");
    expect((await json<AlertsData>(await h.request("/api/alerts", { as: "operator" }))).evaluator).toEqual({ status: "not_deployed" });
  });

  it("shows a failing evaluator's error without its internal detail, logging it", async () => {
    const h = harness({}, bindAlerts(new FailingAlerts()));
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let res: Response;
    let calls: unknown[][];
    try {
      res = await h.request("/alerts", { as: "operator" });
      calls = [...logged.mock.calls];
    } finally {
      logged.mockRestore();
    }
    expect(calls).toEqual([["tenantscope-dashboard: the alert evaluator failed to answer:", expect.objectContaining({ message: "SQLITE_BUSY at /internal/state.ts:42" })]]);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("The alert evaluator (tenantscope-alerts) failed to answer.");
    expect(page).not.toContain("SQLITE_BUSY");
    expect(page).toContain('id="rule-edit"');
  });
});

describe("rule and webhook forms", () => {
  it("keeps a refused value in the form with its reason beside the field, and saves nothing", async () => {
    const h = harness();
    const res = await post(h, "/alerts/rules", withField(ruleFields("refused"), "threshold", "2"));
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<input id="rule-threshold" name="threshold" value="2" size="5" inputmode="decimal" aria-invalid="true" aria-describedby="rule-threshold-reason">');
    expect(page).toContain('<span class="error" role="alert" id="rule-threshold-reason">threshold must be a number above 0 and at most 1</span>');
    expect(page).toContain('name="name" value="Rule refused"');
    expect(await env.PLANS.get("alert:refused")).toBeNull();
  });

  it("refuses a rule that names a missing webhook or plan, beside the field", async () => {
    const h = harness();
    const hook = await (await post(h, "/alerts/rules", [...ruleFields("nohook"), ["webhooks", "missing"]])).text();
    expect(hook).toContain('id="rule-webhooks-reason">There is no webhook &quot;missing&quot;: add it below first.');
    const plan = await post(h, "/alerts/rules", withField(withField(ruleFields("noplan"), "scopeKind", "plan"), "scopeValue", "platinum"));
    expect(plan.status).toBe(400);
    expect(await plan.text()).toContain('id="rule-scopeValue-reason">There is no plan &quot;platinum&quot;.');
    expect(await env.PLANS.get("alert:nohook")).toBeNull();
  });

  it("saves, edits and deletes a rule from the form, audited as the operator via the dashboard", async () => {
    const h = harness();
    await putJson(h, "/api/alerts/webhooks/ops", { url: "https://hooks.example.com/in", secret: SECRET });
    const res = await post(h, "/alerts/rules", [...ruleFields("formed"), ["webhooks", "ops"]]);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/alerts?saved-rule=formed#rules");
    const saved = { id: "formed", name: "Rule formed", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.2, minInvocations: 20 }, cooldownMinutes: 30, webhooks: ["ops"], enabled: true };
    expect(JSON.parse((await env.PLANS.get("alert:formed")) ?? "null")).toEqual(saved);
    expect(await latestEntry("alert:formed")).toMatchObject({ actor: "olga", via: "dashboard", action: "alert", new: JSON.stringify(saved) });
    const edit = await (await h.request("/alerts?edit=formed", { as: "operator" })).text();
    expect(edit).toContain('<input id="rule-windowMinutes" name="windowMinutes" value="5"');
    expect(edit).toContain('<input type="checkbox" name="webhooks" value="ops" checked>');
    expect((await post(h, "/alerts/rules/formed/delete", [])).status).toBe(303);
    expect(await env.PLANS.get("alert:formed")).toBeNull();
    expect(await latestEntry("alert:formed")).toMatchObject({ action: "alert", new: null });
  });

  it("takes a quota rule's own fields only, ignoring the other kinds' blank inputs", async () => {
    const h = harness();
    const fields = withField(withField(ruleFields("quota-form"), "kind", "quota"), "amount", "1000");
    const res = await post(h, "/alerts/rules", [...fields, ["metric", "invocations"], ["periodSeconds", ""], ["stop", "on"]]);
    expect(res.status).toBe(303);
    expect(JSON.parse((await env.PLANS.get("alert:quota-form")) ?? "null")).toMatchObject({ condition: { kind: "quota", metric: "invocations", amount: 1000, periodSeconds: null, onForecast: false, stop: true } });
  });

  it("never writes a webhook's secret into a page, keeps it on a blank input, and audits without it", async () => {
    const h = harness();
    const refused = await post(h, "/alerts/webhooks", [["id", "formhook"], ["url", "https://hooks.example.com/f"], ["format", "json"], ["secret", "tiny-secret"]]);
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('id="webhook-secret-reason">secret must be 16 to 256 characters');
    expect(page).toContain('value="https://hooks.example.com/f"');
    expect(page).not.toContain("tiny-secret");
    expect((await post(h, "/alerts/webhooks", [["id", "formhook"], ["url", "https://hooks.example.com/f?k=v"], ["format", "slack"], ["secret", SECRET]])).status).toBe(303);
    expect((await post(h, "/alerts/webhooks", [["id", "formhook"], ["url", ""], ["format", "json"], ["secret", ""]])).status).toBe(303);
    expect(JSON.parse((await env.PLANS.get("webhook:formhook")) ?? "null")).toEqual({ id: "formhook", url: "https://hooks.example.com/f?k=v", format: "json", secret: SECRET });
    const entry = await latestEntry("webhook:formhook");
    expect(entry).toMatchObject({ action: "webhook", actor: "olga" });
    expect(JSON.stringify(entry)).not.toContain(SECRET);
    expect(JSON.parse(entry?.new ?? "null")).toEqual({ id: "formhook", url: "https://hooks.example.com/f", format: "json", secret: `set (${SECRET.length} characters)` });
    const newHook = await post(h, "/alerts/webhooks", [["id", "nosecret"], ["url", "https://hooks.example.com/n"], ["format", "json"], ["secret", ""]]);
    expect(await newHook.text()).toContain('id="webhook-secret-reason">secret is required for a new webhook');
  });

  it("refuses to delete a webhook a rule notifies (409) unless forced", async () => {
    const h = harness();
    await putJson(h, "/api/alerts/webhooks/used", { url: "https://hooks.example.com/u", secret: SECRET });
    await putJson(h, "/api/alerts/rules/uses", { name: "Uses", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.5 }, webhooks: ["used"] });
    const refused = await h.request("/api/alerts/webhooks/used", { method: "DELETE", as: "operator" });
    expect(refused.status).toBe(409);
    expect((await json<{ error: { message: string } }>(refused)).error.message).toContain("Rules uses notify webhook");
    expect((await h.request("/api/alerts/webhooks/used?force=true", { method: "DELETE", as: "operator" })).status).toBe(200);
    expect(await env.PLANS.get("webhook:used")).toBeNull();
  });

  it("answers JSON edits with the validator's reason, 404 for what is not there", async () => {
    const h = harness();
    const bad = await putJson(h, "/api/alerts/rules/bad", { name: "x", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 0, threshold: 0.2 } });
    expect(bad.status).toBe(400);
    expect((await json<{ error: { message: string } }>(bad)).error.message).toBe('Rule "bad" was not saved: windowMinutes must be an integer from 1 to 10080.');
    expect((await h.request("/api/alerts/rules/none", { method: "DELETE", as: "operator" })).status).toBe(404);
    expect((await h.request("/api/alerts/rules/Bad_Id", { method: "DELETE", as: "operator" })).status).toBe(400);
    const hook = await putJson(h, "/api/alerts/webhooks/jsonhook", { url: "https://hooks.example.com/j", secret: SECRET });
    expect(JSON.stringify(await json<unknown>(hook))).not.toContain(SECRET);
  });
});

describe("who may see and change alerts", () => {
  it("is for operators of the whole platform", async () => {
    const h = harness();
    for (const as of ["support", "billing", "scopedOperator"] as const) {
      expect((await h.request("/alerts", { as })).status, as).toBe(403);
      expect((await h.request("/api/alerts", { as })).status, as).toBe(403);
    }
    expect(await (await h.request("/", { as: "operator" })).text()).toContain('<a href="/alerts">Alerts</a>');
  });

  it("refuses a cookie session's form without its CSRF token", async () => {
    const h = harness();
    const { cookie } = await login(h, "operator");
    const res = await h.request("/alerts/rules", { method: "POST", cookie, headers: { ...FORM, origin: "http://dash.test" }, body: new URLSearchParams(ruleFields("csrf")).toString() });
    expect(res.status).toBe(403);
    expect(await env.PLANS.get("alert:csrf")).toBeNull();
  });
});
