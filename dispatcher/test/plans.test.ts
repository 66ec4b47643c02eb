import { describe, expect, it } from "vitest";
import { echo, errorOf, setup, type Echoed } from "./fakes.ts";

/** One request to `acme` by path; returns the options `get()` received and what the tenant saw. */
async function dispatchAcme(s: ReturnType<typeof setup>) {
  s.ns.tenants.set("acme", echo);
  const res = await s.request("http://tenants.example.com/acme/");
  expect(res.status).toBe(200);
  const seen: Echoed = await res.json();
  const call = s.ns.calls.at(-1);
  return { options: call?.options, args: call?.args, seen };
}

describe("limits passed to get()", () => {
  const builtins: Array<[string, { cpuMs: number; subRequests: number }]> = [
    ["free", { cpuMs: 10, subRequests: 10 }],
    ["pro", { cpuMs: 50, subRequests: 100 }],
    ["enterprise", { cpuMs: 500, subRequests: 1000 }],
  ];
  for (const [plan, limits] of builtins) {
    it(`built-in ${plan}`, async () => {
      const s = setup();
      await s.kv.put("tenant:acme", { plan });
      const { options, args, seen } = await dispatchAcme(s);
      // Exactly the production shape: get(name, {}, { limits: { cpuMs, subRequests } }).
      expect(args).toStrictEqual({});
      expect(options).toStrictEqual({ limits });
      expect(seen.headers["x-tenantscope-plan"]).toBe(plan);
      expect(JSON.parse(seen.headers["x-tenantscope-limits"] ?? "null")).toStrictEqual(limits);
    });
  }

  it("a custom plan from KV", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "gold" });
    await s.kv.put("plan:gold", { cpuMs: 200, subRequests: 300 });
    const { options, seen } = await dispatchAcme(s);
    expect(options).toStrictEqual({ limits: { cpuMs: 200, subRequests: 300 } });
    expect(seen.headers["x-tenantscope-plan"]).toBe("gold");
    expect(s.kv.reads).toEqual(["tenant:acme", "plan:gold"]);
  });

  it("a KV record overrides the built-in plan of the same name", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "pro" });
    await s.kv.put("plan:pro", { cpuMs: 75, subRequests: 150 });
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 75, subRequests: 150 } });
  });

  it("a tenant without an assignment is on DEFAULT_PLAN", async () => {
    const free = setup();
    expect((await dispatchAcme(free)).options).toStrictEqual({ limits: { cpuMs: 10, subRequests: 10 } });
    const pro = setup({ DEFAULT_PLAN: "pro" });
    const { options, seen } = await dispatchAcme(pro);
    expect(options).toStrictEqual({ limits: { cpuMs: 50, subRequests: 100 } });
    expect(seen.headers["x-tenantscope-plan"]).toBe("pro");
  });

  it("an unknown plan gets the restrictive plan and a log line", async () => {
    const s = setup({ DEFAULT_PLAN: "enterprise" });
    await s.kv.put("tenant:acme", { plan: "platinum" });
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 10, subRequests: 10 } });
    expect(s.logs).toEqual([expect.stringContaining('unknown plan "platinum"')]);
  });

  it("an invalid plan record is ignored in favour of the built-in, with a log line", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "pro" });
    await s.kv.put("plan:pro", { cpuMs: -5, subRequests: 100 });
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 50, subRequests: 100 } });
    expect(s.logs).toEqual([expect.stringContaining('plan "pro" in KV is invalid')]);
  });
});

describe("plan cache", () => {
  it("does no KV read in steady state and reads again after the TTL", async () => {
    const s = setup(); // PLAN_CACHE_TTL_SECONDS = "30" from wrangler.jsonc
    await s.kv.put("tenant:acme", { plan: "pro" });
    await dispatchAcme(s);
    expect(s.kv.reads).toEqual(["tenant:acme", "plan:pro"]);

    s.kv.reads.length = 0;
    for (let i = 0; i < 5; i++) await dispatchAcme(s);
    s.clock.now += 29_999;
    await dispatchAcme(s);
    expect(s.kv.reads).toEqual([]);

    s.clock.now += 1;
    await dispatchAcme(s);
    expect(s.kv.reads).toEqual(["tenant:acme", "plan:pro"]);
  });

  it("picks up an operator's change only after the TTL from config", async () => {
    const s = setup({ PLAN_CACHE_TTL_SECONDS: "5" });
    await s.kv.put("tenant:acme", { plan: "free" });
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 10, subRequests: 10 } });
    await s.kv.put("tenant:acme", { plan: "enterprise" });
    s.clock.now += 4_000;
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 10, subRequests: 10 } });
    s.clock.now += 1_000;
    expect((await dispatchAcme(s)).options).toStrictEqual({ limits: { cpuMs: 500, subRequests: 1000 } });
  });

  it("deduplicates concurrent first reads", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    const responses = await Promise.all(Array.from({ length: 10 }, () => s.request("http://tenants.example.com/acme/")));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(s.kv.reads).toEqual(["tenant:acme", "plan:free"]);
  });
});

describe("KV failure", () => {
  it("applies the restrictive plan, says so in a log line, and still serves the tenant", async () => {
    const s = setup({ DEFAULT_PLAN: "enterprise" });
    await s.kv.put("tenant:acme", { plan: "enterprise" });
    s.kv.failing = true;
    const { options, seen } = await dispatchAcme(s);
    expect(options).toStrictEqual({ limits: { cpuMs: 10, subRequests: 10 } });
    expect(seen.headers["x-tenantscope-plan"]).toBe("free");
    expect(seen.headers["x-tenantscope-plan-source"]).toBe("fallback");
    expect(s.logs).toHaveLength(1);
    expect(s.logs[0]).toMatch(/KV read failed for tenant "acme".*restrictive plan "free"/);
  });

  it("retries KV sooner than the TTL once it recovers", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "pro" });
    s.kv.failing = true;
    await dispatchAcme(s);
    s.kv.failing = false;
    s.clock.now += 5_000;
    const recovered = await dispatchAcme(s);
    expect(recovered.options).toStrictEqual({ limits: { cpuMs: 50, subRequests: 100 } });
    // Only a fallback is marked; the tail records a resolved plan as "header".
    expect(recovered.seen.headers["x-tenantscope-plan-source"]).toBeUndefined();
  });
});

describe("suspension", () => {
  it("answers 403 without calling the tenant", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    await s.kv.put("tenant:acme", { plan: "pro", suspended: true });
    const res = await s.request("http://acme.tenants.example.com/");
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({ code: "tenant_suspended", message: 'Tenant "acme" is suspended.' });
    expect(s.ns.calls).toEqual([]);
  });

  it("a suspended tenant on an unknown plan is still suspended", async () => {
    const s = setup();
    await s.kv.put("tenant:acme", { plan: "nope", suspended: true });
    expect((await s.request("http://tenants.example.com/acme/")).status).toBe(403);
    expect(s.ns.calls).toEqual([]);
  });

  it("lifting the suspension takes effect after the TTL", async () => {
    const s = setup();
    s.ns.tenants.set("acme", echo);
    await s.kv.put("tenant:acme", { plan: "pro", suspended: true });
    expect((await s.request("http://tenants.example.com/acme/")).status).toBe(403);
    await s.kv.put("tenant:acme", { plan: "pro", suspended: false });
    s.clock.now += 30_000;
    expect((await s.request("http://tenants.example.com/acme/")).status).toBe(200);
  });
});
