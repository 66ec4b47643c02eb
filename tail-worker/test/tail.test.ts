import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { BLOBS, DOUBLES, type DataPoint } from "@tenantscope/core/schema";
import { handleTail } from "../src/tail.ts";
import { AE_LIMITS, OVERFLOW_TENANT } from "@tenantscope/core/schema";
import { EVENTS, fakeEnv, trace } from "./fixtures.ts";

const LIMIT = AE_LIMITS.writesPerInvocation;

const blob = (p: DataPoint, name: keyof typeof BLOBS) => p.blobs[BLOBS[name] - 1];
const dbl = (p: DataPoint, name: keyof typeof DOUBLES) => p.doubles[DOUBLES[name] - 1] ?? Number.NaN;

/** Per tenant (index): sum of invocations, and of invocations × a double. */
function totals(points: DataPoint[], name: keyof typeof DOUBLES = "cpuMs"): Record<string, { n: number; sum: number }> {
  const out: Record<string, { n: number; sum: number }> = {};
  for (const p of points) {
    const t = p.indexes[0] ?? "";
    const acc = (out[t] ??= { n: 0, sum: 0 });
    acc.n += dbl(p, "invocations");
    acc.sum += dbl(p, "invocations") * dbl(p, name);
  }
  return out;
}

describe("handleTail", () => {
  it("writes the customer column from the script tags, with the prefix from CUSTOMER_TAG_PREFIX", async () => {
    const { env, options } = fakeEnv();
    await handleTail([trace({ scriptTags: ["customer:acme"] }), trace({ scriptName: "fanout" })], env, options);
    expect(env.INVOCATIONS.points.map((p) => blob(p, "customer"))).toEqual(["acme", ""]);
    const custom = fakeEnv();
    await handleTail([trace({ scriptTags: ["customer:acme", "org/globex"] })], { ...custom.env, CUSTOMER_TAG_PREFIX: "org/" }, custom.options);
    expect(custom.env.INVOCATIONS.points.map((p) => blob(p, "customer"))).toEqual(["globex"]);
    const bad = fakeEnv();
    await handleTail([trace({ scriptTags: ["customer:acme"] })], { ...bad.env, CUSTOMER_TAG_PREFIX: "a,b" }, bad.options);
    expect(bad.env.INVOCATIONS.points.map((p) => blob(p, "customer"))).toEqual(["acme"]);
    expect(bad.logs.join("\n")).toContain("CUSTOMER_TAG_PREFIX");
  });

  it("writes one point per tenant trace and nothing for a non-tenant trace without answer lines", async () => {
    const { env, logs, options } = fakeEnv();
    const summary = await handleTail([trace(), trace({ scriptName: "tenantscope-dispatcher", dispatchNamespace: undefined }), trace({ scriptName: "fanout" })], env, options);
    expect(summary).toEqual({ traces: 3, skipped: 1, answers: 0, failed: 0, points: 2, writeErrors: 0 });
    expect(env.INVOCATIONS.points.map((p) => p.indexes[0])).toEqual(["hello", "fanout"]);
    // The dispatcher's routine successes are not worth a line each.
    expect(logs).toEqual([]);
  });

  it(`folds a batch of ${LIMIT + 50} into at most ${LIMIT} points with exact per-tenant totals`, async () => {
    const { env, options } = fakeEnv();
    const tenants = ["hello", "cpu-burner", "fanout"];
    const size = LIMIT + 50;
    const batch = Array.from({ length: size }, (_, i) =>
      trace({ scriptName: tenants[i % 3], cpuTime: i + 1, outcome: i % 4 === 0 ? "exception" : "ok", exceptions: i % 4 === 0 ? [{ name: "Error", message: `e${i}` }] : [] }));
    const summary = await handleTail(batch, env, options);
    const points = env.INVOCATIONS.points;
    expect(points.length).toBeLessThanOrEqual(LIMIT);
    expect(summary.points).toBe(points.length);
    const t = totals(points);
    expect(Object.values(t).reduce((n, x) => n + x.n, 0)).toBe(size);
    for (const [k, name] of tenants.entries()) {
      const mine = batch.filter((_, i) => i % 3 === k);
      expect(t[name]?.n).toBe(mine.length);
      expect(t[name]?.sum).toBeCloseTo(mine.reduce((s, x) => s + Number(x.cpuTime), 0), 9);
    }
    expect(points.some((p) => blob(p, "pointKind") === "folded" && dbl(p, "invocations") > 1)).toBe(true);
  });

  it("keeps outcome counts exact in folded points", async () => {
    const { env, options } = fakeEnv();
    const batch = Array.from({ length: LIMIT * 4 }, (_, i) => trace({ outcome: i < 37 ? "exceededCpu" : "ok" }));
    await handleTail(batch, env, options);
    const byOutcome: Record<string, number> = {};
    for (const p of env.INVOCATIONS.points) byOutcome[blob(p, "outcome") ?? ""] = (byOutcome[blob(p, "outcome") ?? ""] ?? 0) + dbl(p, "invocations");
    expect(byOutcome).toEqual({ exceededCpu: 37, ok: LIMIT * 4 - 37 });
    expect(env.INVOCATIONS.points.length).toBeLessThanOrEqual(LIMIT);
  });

  it(`folds more than ${LIMIT} tenants into the busiest ${LIMIT - 1} plus an overflow point`, async () => {
    const { env, options } = fakeEnv();
    // 10 invocations of "busy", and LIMIT + 5 tenants with one each: LIMIT + 6 tenants in all.
    const size = 10 + LIMIT + 5;
    const batch = Array.from({ length: size }, (_, i) => trace({ scriptName: i < 10 ? "busy" : `t${i}` }));
    await handleTail(batch, env, options);
    const t = totals(env.INVOCATIONS.points);
    expect(env.INVOCATIONS.points.length).toBe(LIMIT);
    expect(t.busy?.n).toBe(10);
    expect(Object.values(t).reduce((n, x) => n + x.n, 0)).toBe(size);
    expect(t[OVERFLOW_TENANT]?.n).toBe(7);
  });

  it("records the KV plan for non-fetch events and reads KV once per tenant", async () => {
    const { env, kv, options } = fakeEnv();
    await kv.put("tenant:cron-tenant", { plan: "pro" });
    await handleTail([trace({ scriptName: "cron-tenant", event: EVENTS.scheduled }), trace({ scriptName: "cron-tenant", event: EVENTS.queue }), trace()], env, options);
    const [a, b, c] = env.INVOCATIONS.points;
    expect(a && [blob(a, "plan"), blob(a, "planSource"), dbl(a, "cpuLimitMs"), dbl(a, "subrequestLimit")]).toEqual(["pro", "builtin", 50, 100]);
    expect(b && blob(b, "plan")).toBe("pro");
    expect(c && [blob(c, "plan"), blob(c, "planSource")]).toEqual(["pro", "header"]);
    // tenant + plan record, once: the fetch trace carried its headers and needed no read.
    expect(kv.reads).toEqual(["tenant:cron-tenant", "plan:pro"]);
  });

  it("records the restrictive plan when KV fails, without throwing", async () => {
    const { env, kv, options } = fakeEnv();
    kv.failing = true;
    await handleTail([trace({ event: EVENTS.alarm })], env, options);
    const [p] = env.INVOCATIONS.points;
    expect(p && [blob(p, "plan"), blob(p, "planSource")]).toEqual(["free", "fallback"]);
  });

  it("a throwing trace or write does not stop the others", async () => {
    const { env, logs, options } = fakeEnv();
    const hostile = { dispatchNamespace: "ns", get scriptName(): string { throw new Error("getter bomb"); } };
    env.INVOCATIONS.failOn = (p) => p.indexes[0] === "refused";
    const summary = await handleTail([trace(), hostile, trace({ scriptName: "refused" }), trace({ scriptName: "fanout" })], env, options);
    expect(env.INVOCATIONS.points.map((p) => p.indexes[0])).toEqual(["hello", "fanout"]);
    expect(summary).toMatchObject({ traces: 4, failed: 1, writeErrors: 1, points: 2 });
    expect(logs.some((l) => l.includes("unreadable") && l.includes("getter bomb"))).toBe(true);
    expect(logs.some((l) => l.includes("writeDataPoint failed") && l.includes("refused"))).toBe(true);
  });

  it("awaits a writer that answers with a thenable (an RPC binding), and counts its rejections", async () => {
    const { env, logs, options } = fakeEnv();
    const settled: string[] = [];
    // Like the local stand-in: typed as an AnalyticsEngineDataset (whose write returns
    // void), while the RPC answer at run time is a promise. `unknown` is what the tail
    // makes of that answer, so it is what this fake declares too.
    const rpcLike = {
      writeDataPoint(point?: AnalyticsEngineDataPoint): unknown {
        const index = point?.indexes?.[0];
        const tenant = typeof index === "string" ? index : "";
        return new Promise<void>((resolve, reject) => setTimeout(() => {
          settled.push(tenant);
          if (tenant === "refused") reject(new Error("store unavailable"));
          else resolve();
        }, 5));
      },
    } satisfies AnalyticsEngineDataset;
    const summary = await handleTail([trace(), trace({ scriptName: "refused" })], { ...env, INVOCATIONS: rpcLike }, options);
    expect(settled.sort()).toEqual(["hello", "refused"]);
    expect(summary).toMatchObject({ points: 1, writeErrors: 1 });
    expect(logs.some((l) => l.includes("writeDataPoint failed") && l.includes("store unavailable"))).toBe(true);
  });

  it("never throws on garbage input", async () => {
    const { env, options } = fakeEnv();
    for (const events of [null, undefined, "x", 5, {}, [null, 1, "s", [], {}]]) {
      await expect(handleTail(events, env, options)).resolves.toBeDefined();
    }
    expect(env.INVOCATIONS.points).toEqual([]);
  });

  it("bounds a huge trace: 40 KB message, 10 000 logs", async () => {
    const { env, options } = fakeEnv();
    const message = `Too many subrequests ${"ü".repeat(20_000)}`;
    const logs = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: i, level: "log", message: ["x"] }));
    await handleTail([trace({ outcome: "exception", exceptions: [{ name: "Error", message }], logs })], env, options);
    const [p] = env.INVOCATIONS.points;
    expect(p && [blob(p, "violation"), dbl(p, "logCount")]).toEqual(["subrequests", 10_000]);
    expect(p && new TextEncoder().encode(p.blobs.join("")).length).toBeLessThanOrEqual(16 * 1024);
  });
});

describe("the deployed entrypoint", () => {
  it("accepts plain JSON traces over RPC, and reports a malformed answer line without failing", async () => {
    // The entrypoint runs in this isolate, so its console is the one spied on here.
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const broken = { logs: [{ level: "log", message: ['{"tenantscope":"answer", oops'] }] };
      await expect(exports.default.tail([trace(), { garbage: true }, broken])).resolves.toBeUndefined();
      expect(spy.mock.calls).toEqual([["tenantscope-tail: skipped 1 malformed dispatcher answer line(s) (not JSON)"]]);
    } finally {
      spy.mockRestore();
    }
  });
});
