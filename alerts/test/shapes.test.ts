/**
 * The bound on SQL per run: one query per distinct shape, however many rules share it and
 * however many tenants answer; and the ranges each shape covers.
 */
import { describe, expect, it } from "vitest";
import type { AlertCondition } from "@tenantscope/core/alerts";
import { evaluate } from "../src/evaluate.ts";
import { queryShapes } from "../src/figures.ts";
import { medianStep, periodAt, rangeOf, shapeKey, shapeSql, shapesOf } from "../src/shapes.ts";
import { MIN, T0, recordedSql, rule, windowRow } from "./helpers.ts";

describe("shapes", () => {
  const conditions: AlertCondition[] = [
    { kind: "error_rate", windowMinutes: 5, threshold: 0.1, minInvocations: 1 },
    { kind: "limit_rate", limit: "cpu", windowMinutes: 5, threshold: 0.1, minInvocations: 1 },
    { kind: "cpu_p95", windowMinutes: 15, share: 0.8, minInvocations: 1 },
    { kind: "quota", metric: "cpu_ms", amount: 10, periodSeconds: null, onForecast: true, stop: false },
    { kind: "change", metric: "errors", windowMinutes: 5, factor: 10, baseline: "previous", minInvocations: 1 },
    { kind: "change", metric: "invocations", windowMinutes: 60, factor: 10, baseline: "median_7d", minInvocations: 1 },
  ];

  it("are shared: 50 rules over 1 000 tenants send one query per distinct window and period", async () => {
    const rules = Array.from({ length: 50 }, (_, i) => rule(`r-${i}`, conditions[i % conditions.length] ?? conditions[0] as AlertCondition));
    const shapes = shapesOf(rules);
    expect(shapes.map(shapeKey)).toEqual(["median:60", "period:month", "previous:5", "window:15", "window:5", "window:60"]);
    const rows = Array.from({ length: 1000 }, (_, t) => windowRow(`t-${t}`, { invocations: 100, errors: t % 10 === 0 ? 50 : 0 }));
    const sql = recordedSql(T0, shapes.map((s) => [s, s.kind === "window" ? rows : []]));
    const answers = await queryShapes(sql, shapes, T0);
    expect(sql.sent).toHaveLength(6);
    expect(new Set(sql.sent).size).toBe(6);
    const e = evaluate({ rules, answers, states: [], stopped: new Set(), nowMs: T0, dashboardUrl: "" });
    expect(e.tenants).toBe(1000);
    // The error-rate rules (every sixth of 50, from r-0) fire for the 100 failing tenants.
    expect(e.states.filter((s) => s.rule === "r-0")).toHaveLength(100);
  });

  it("cover the window, the one before, the same window on 7 days, and the period so far", () => {
    expect(rangeOf({ kind: "window", minutes: 5 }, T0 + 999)).toEqual({ from: T0 - 5 * MIN, to: T0 });
    expect(rangeOf({ kind: "previous", minutes: 5 }, T0)).toEqual({ from: T0 - 10 * MIN, to: T0 - 5 * MIN });
    expect(rangeOf({ kind: "median", minutes: 60 }, T0)).toEqual({ from: T0 - 7 * 86_400_000 - 60 * MIN, to: T0 - 86_400_000 });
    expect(medianStep(60)).toBe(86_400);
    expect(medianStep(2 * 1440)).toBe(2 * 86_400);
    expect(rangeOf({ kind: "period", seconds: null }, T0)).toEqual({ from: Date.UTC(2026, 11, 1), to: T0 });
    expect(periodAt(null, Date.UTC(2026, 11, 31, 23, 59))).toEqual({ from: Date.UTC(2026, 11, 1), to: Date.UTC(2027, 0, 1) });
    expect(periodAt(30, T0 + 45_000)).toEqual({ from: T0 + 30_000, to: T0 + 60_000 });
  });

  it("build SQL from the schema with a lower time bound, grouped by tenant", () => {
    for (const s of shapesOf(conditions.map((c, i) => rule(`r-${i}`, c)))) {
      const text = shapeSql(s, T0);
      expect(text).toMatch(/^SELECT index1 AS tenant, .* FROM tenant_invocations WHERE timestamp >= toDateTime\('[\d-]+ [\d:]+'\) AND timestamp < toDateTime\('[\d-]+ [\d:]+'\) AND blob14 != 'dispatcher' AND index1 != '~overflow'.* GROUP BY index1(, span)?$/);
      // The SQL API's statement limit is 10 KiB.
      expect(text.length).toBeLessThan(10 * 1024);
    }
  });
});
