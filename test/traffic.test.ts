import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { waitForInvocations } from "./ae.ts";
import { DEMO_MIX, classify, parseDuration, pick, runTraffic, seededRandom } from "../local/dev/traffic.ts";

describe("traffic building blocks", () => {
  it("repeats a run from its seed, and picks by weight", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    const counts = new Map<string, number>();
    const r = seededRandom(1);
    for (let i = 0; i < 20_000; i++) {
      const k = pick(DEMO_MIX, r).name;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const total = DEMO_MIX.reduce((n, k) => n + k.weight, 0);
    for (const kind of DEMO_MIX) {
      expect(Math.abs((counts.get(kind.name) ?? 0) / 20_000 - kind.weight / total)).toBeLessThan(0.01);
    }
  });

  it("classifies the dispatcher's answers", () => {
    expect(classify(200, null)).toBe("ok");
    expect(classify(503, "cpu_limit_exceeded")).toBe("cpu");
    expect(classify(503, "subrequest_limit_exceeded")).toBe("subrequests");
    expect(classify(500, "tenant_exception")).toBe("exception");
    expect(classify(404, "tenant_not_found")).toBe("not_found");
    expect(classify(502, "bad_gateway")).toBe("other 502");
  });

  it("parses durations and refuses nonsense", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("45")).toBe(45_000);
    for (const bad of ["", "0", "-5s", "10d", "s"]) expect(() => parseDuration(bad)).toThrow(/--duration/);
  });
});

describe("demo traffic against the stack", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ port: 0, apiPort: 0, persistTo: false, log: () => {} });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("produces the intended answers, and exactly its invocations in Analytics Engine", async () => {
    const progress: number[] = [];
    const stats = await runTraffic({
      dispatcher: stack.urls.dispatcher, durationMs: 3_000, rate: 40, concurrency: 1, seed: 42,
      onProgress: (s) => progress.push(s.sent),
    });
    expect(stats.sent).toBeGreaterThan(60);
    expect(progress.at(-1)).toBe(stats.sent);
    for (const answer of ["ok", "exception", "cpu", "subrequests"]) expect(stats.answers[answer] ?? 0).toBeGreaterThan(0);
    // The after-the-fact CPU limit may trip a small request on a busy machine.
    expect(stats.unexpected).toBeLessThanOrEqual(Math.ceil(stats.sent * 0.05));
    expect(await waitForInvocations(stack, stats.invocations, 10_000)).toBe(stats.invocations);
  });
});
