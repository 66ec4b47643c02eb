/**
 * The quota stop (core/src/plans.ts `QuotaStop`): 429 quota_exceeded with Retry-After
 * to `until`, its own code and answer line, and a lift exactly at `until` even while
 * the record is still in the plan cache or has not been cleared yet.
 */
import { parseAnswerLine } from "@tenantscope/core/answer-log";
import { describe, expect, it } from "vitest";
import { echo, errorOf, setup } from "./fakes.ts";

const URL_ = "http://tenants.example.com/acme/";

function stoppedFor(s: ReturnType<typeof setup>, ms: number) {
  return { plan: "pro", stop: { until: new Date(s.clock.now + ms).toISOString(), rule: "monthly-cap" } };
}

describe("quota stop", () => {
  it("answers 429 quota_exceeded with Retry-After to the period's end, without calling the tenant", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const record = stoppedFor(s, 3_600_000);
    await s.kv.put("tenant:acme", record);
    const res = await s.request(URL_);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3600");
    expect(await errorOf(res)).toEqual({
      code: "quota_exceeded",
      message: `Tenant "acme" has used its quota (rule "monthly-cap"); it is served again from "${record.stop.until}".`,
    });
    expect(s.ns.calls).toEqual([]);
  });

  it("logs one answer line with its own code, not the suspension's", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", stoppedFor(s, 60_000));
    await s.request(URL_, { method: "POST" });
    expect(s.answers.map((line) => parseAnswerLine(line))).toEqual([
      { kind: "answer", answer: expect.objectContaining({ tenant: "acme", status: 429, code: "quota_exceeded", method: "POST" }) },
    ]);
  });

  it("rounds Retry-After up to whole seconds and counts it down", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", stoppedFor(s, 1_500));
    expect((await s.request(URL_)).headers.get("retry-after")).toBe("2");
    s.clock.now += 600;
    expect((await s.request(URL_)).headers.get("retry-after")).toBe("1");
  });

  it("lifts at `until` while the record is still cached, with no KV read", async () => {
    const s = setup(); // PLAN_CACHE_TTL_SECONDS = 30
    s.ns.tenants.set("acme", echo);
    await s.kv.put("tenant:acme", stoppedFor(s, 10_000));
    expect((await s.request(URL_)).status).toBe(429);
    s.kv.reads.length = 0;
    s.clock.now += 9_999;
    expect((await s.request(URL_)).status).toBe(429);
    s.clock.now += 1;
    const served = await s.request(URL_);
    expect(served.status).toBe(200);
    expect(s.kv.reads).toEqual([]);
    expect(s.ns.calls.map((c) => c.options)).toEqual([{ limits: { cpuMs: 50, subRequests: 100 } }]);
  });

  it("serves a tenant whose stop has passed but is still in its record", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    await s.kv.put("tenant:acme", stoppedFor(s, -1));
    expect((await s.request(URL_)).status).toBe(200);
    expect(s.answers).toEqual([]);
  });

  it("a new stop takes effect once the plan cache TTL has passed", async () => {
    const s = setup({ PLAN_CACHE_TTL_SECONDS: "5" });
    s.ns.tenants.set("acme", echo);
    await s.kv.put("tenant:acme", { plan: "pro" });
    expect((await s.request(URL_)).status).toBe(200);
    await s.kv.put("tenant:acme", stoppedFor(s, 3_600_000));
    s.clock.now += 5_000;
    expect((await s.request(URL_)).status).toBe(429);
  });

  it("a suspension wins over a stop", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { ...stoppedFor(s, 60_000), suspended: true });
    const res = await s.request(URL_);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("tenant_suspended");
    expect(res.headers.get("retry-after")).toBeNull();
  });

  it("a stopped tenant on an unknown plan is still stopped", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "nope", stop: { until: new Date(s.clock.now + 60_000).toISOString(), rule: "cap" } });
    expect((await s.request(URL_)).status).toBe(429);
    expect(s.ns.calls).toEqual([]);
  });
});
