/**
 * Quota rules (usage in the period, the linear forecast to its end, the stop at 100 %)
 * and sudden-change rules (against the previous window or the 7-day median), over
 * recorded answers and a fake clock.
 */
import { describe, expect, it } from "vitest";
import type { AlertCondition, AlertRule } from "@tenantscope/core/alerts";
import type { Row } from "@tenantscope/core/sql-client";
import { evaluate, stopKey, type Evaluation } from "../src/evaluate.ts";
import { queryShapes } from "../src/figures.ts";
import { FORECAST_MIN_ELAPSED } from "../src/judge.ts";
import { periodAt, shapesOf, type Shape } from "../src/shapes.ts";
import { MIN, T0, countRow, periodRow, recordedSql, rule, spanRow, windowRow } from "./helpers.ts";

async function step(rules: AlertRule[], nowMs: number, answers: [Shape, Row[]][], stopped: Set<string> = new Set()): Promise<Evaluation> {
  const got = await queryShapes(recordedSql(nowMs, answers), shapesOf(rules), nowMs);
  return evaluate({ rules, answers: got, states: [], stopped, nowMs, dashboardUrl: "" });
}

const quota = (over: Partial<Extract<AlertCondition, { kind: "quota" }>> = {}): AlertCondition => ({ kind: "quota", metric: "invocations", amount: 1000, periodSeconds: null, onForecast: false, stop: false, ...over });
const MONTH: Shape = { kind: "period", seconds: null };

describe("a quota rule", () => {
  // T0 is 2026-12-15T12:00Z: 14.5 of December's 31 days have passed.
  const elapsed = (T0 - Date.UTC(2026, 11, 1)) / (31 * 86_400_000);

  it("reads usage over the UTC month so far and fires at 100 %", async () => {
    const e = await step([rule("q", quota())], T0, [[MONTH, [periodRow("a", 1000), periodRow("b", 999)]]]);
    expect(e.notify.map((n) => n.notification.tenant)).toEqual(["a"]);
    expect(e.notify[0]?.notification).toMatchObject({ value: 1000, threshold: 1000, window: { from: "2026-12-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z" } });
    expect(e.stops).toEqual([]);
  });

  it("forecasts linearly to the period's end, and fires on the forecast only when asked to", async () => {
    const rows = [periodRow("a", 500)];
    const plain = await step([rule("q", quota())], T0, [[MONTH, rows]]);
    expect(plain.notify).toEqual([]);
    const onForecast = await step([rule("q", quota({ onForecast: true }))], T0, [[MONTH, rows]]);
    expect(onForecast.notify).toHaveLength(1);
    expect(onForecast.notify[0]?.notification.forecast).toBeCloseTo(500 / elapsed, 6);
    expect(onForecast.notify[0]?.notification.value).toBe(500);
  });

  it("does not fire on a forecast made too early in the period", async () => {
    const early = Date.UTC(2026, 11, 1) + Math.floor(FORECAST_MIN_ELAPSED * 31 * 86_400_000) - MIN;
    const e = await step([rule("q", quota({ onForecast: true }))], early, [[MONTH, [periodRow("a", 900)]]]);
    expect(e.notify).toEqual([]);
  });

  it("counts CPU ms when that is its metric", async () => {
    const e = await step([rule("q", quota({ metric: "cpu_ms", amount: 5000 }))], T0, [[MONTH, [periodRow("a", 10, 6000), periodRow("b", 9000, 10)]]]);
    expect(e.notify.map((n) => n.notification.tenant)).toEqual(["a"]);
  });

  it("stops the tenant at 100 % until the period's end, once per period", async () => {
    const rules = [rule("q", quota({ stop: true, periodSeconds: 3600 }))];
    const hour: Shape = { kind: "period", seconds: 3600 };
    const now = T0 + 20 * MIN;
    const e = await step(rules, now, [[hour, [periodRow("a", 1200), periodRow("b", 10)]]]);
    expect(periodAt(3600, now)).toEqual({ from: T0, to: T0 + 60 * MIN });
    expect(e.stops).toEqual([{ rule: "q", tenant: "a", until: "2026-12-15T13:00:00.000Z", value: 1200, threshold: 1000 }]);
    expect(e.notify[0]?.notification.stoppedUntil).toBe("2026-12-15T13:00:00.000Z");
    const again = await step(rules, now + MIN, [[hour, [periodRow("a", 1200)]]], new Set([stopKey("q", "a", "2026-12-15T13:00:00.000Z")]));
    expect(again.stops).toEqual([]);
    // The next period starts from zero: nothing fires, nothing is stopped.
    const next = await step(rules, T0 + 61 * MIN, [[hour, [periodRow("a", 5)]]]);
    expect(next.stops).toEqual([]);
    expect(next.notify).toEqual([]);
  });

  it("does not stop on a forecast alone", async () => {
    const e = await step([rule("q", quota({ stop: true, onForecast: true }))], T0, [[MONTH, [periodRow("a", 900)]]]);
    expect(e.notify).toHaveLength(1);
    expect(e.stops).toEqual([]);
  });
});

describe("a sudden-change rule", () => {
  const W10: Shape = { kind: "window", minutes: 10 };
  const change = (baseline: "previous" | "median_7d", metric: "invocations" | "errors" = "invocations"): AlertCondition => ({ kind: "change", metric, windowMinutes: 10, factor: 10, baseline, minInvocations: 50 });

  it("compares the window with the one before it", async () => {
    const rules = [rule("c", change("previous"))];
    const e = await step(rules, T0, [
      [W10, [windowRow("spiky", { invocations: 1000 }), windowRow("steady", { invocations: 1000 }), windowRow("small", { invocations: 40 })]],
      [{ kind: "previous", minutes: 10 }, [countRow("spiky", 99), countRow("steady", 101), countRow("small", 1)]],
    ]);
    expect(e.notify.map((n) => n.notification.tenant)).toEqual(["spiky"]);
    expect(e.notify[0]?.notification).toMatchObject({ value: 1000, threshold: 990 });
  });

  it("compares errors when that is its metric, and fires from a baseline of zero past the minimum", async () => {
    const rules = [rule("c", change("previous", "errors"))];
    const e = await step(rules, T0, [
      [W10, [windowRow("new-errors", { invocations: 500, errors: 60 }), windowRow("few", { invocations: 500, errors: 49 })]],
      [{ kind: "previous", minutes: 10 }, [countRow("new-errors", 500, 0), countRow("few", 500, 0)]],
    ]);
    expect(e.notify.map((n) => n.notification.tenant)).toEqual(["new-errors"]);
  });

  it("compares with the median of the same window on the 7 days before (missing days count as zero)", async () => {
    const rules = [rule("c", change("median_7d"))];
    const median: Shape = { kind: "median", minutes: 10 };
    const e = await step(rules, T0, [
      [W10, [windowRow("usual", { invocations: 1000 }), windowRow("spike", { invocations: 1000 }), windowRow("sparse", { invocations: 1000 })]],
      [
        median,
        [
          // usual: a busy time of day every day; one quiet day does not lower the median.
          ...[1, 2, 3, 4, 5, 6].map((d) => spanRow("usual", d, 900)),
          spanRow("usual", 7, 5),
          // spike: 50–150 on each day, median 100, so 1000 is 10×.
          ...[50, 80, 90, 100, 110, 120, 150].map((n, i) => spanRow("spike", i + 1, n)),
          // sparse: traffic on three days only, so its median is 0.
          spanRow("sparse", 1, 5000),
          spanRow("sparse", 2, 5000),
          spanRow("sparse", 3, 5000),
        ],
      ],
    ]);
    expect(e.notify.map((n) => [n.notification.tenant, n.notification.threshold])).toEqual([
      ["spike", 1000],
      ["sparse", 0],
    ]);
  });
});
