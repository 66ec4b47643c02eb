import { describe, expect, it } from "vitest";
import { emptyRow, type InvocationRow } from "@tenantscope/core/schema";
import { MIXED } from "@tenantscope/core/schema";
import { foldRows, foldToLimit } from "../src/fold.ts";

function r(over: Partial<InvocationRow>): InvocationRow {
  return { ...emptyRow(), tenant: "a", outcome: "ok", violation: "none", pointKind: "single", invocations: 1, ...over };
}

describe("foldRows", () => {
  it("sums invocations, averages per-invocation values, keeps common labels", () => {
    const f = foldRows([
      r({ cpuMs: 2, wallMs: 10, status: 200, method: "GET", cpuLimitMs: 50 }),
      r({ cpuMs: 4, wallMs: 20, status: 500, method: "POST", cpuLimitMs: 50, exceptionName: "E", exceptionMessage: "m", logCount: 3 }),
      r({ invocations: 2, cpuMs: 6, wallMs: 30, status: 200, method: "GET", cpuLimitMs: 50 }),
    ]);
    expect(f).toMatchObject({ invocations: 4, pointKind: "folded", tenant: "a", outcome: "ok", method: MIXED, status: 0, cpuLimitMs: 50, exceptionName: "E", exceptionMessage: "m" });
    // Weighted by invocations: (2 + 4 + 2×6) / 4 and (10 + 20 + 2×30) / 4.
    expect(f.cpuMs).toBe(4.5);
    expect(f.wallMs).toBe(22.5);
    expect(f.logCount).toBe(0.75);
  });
});

describe("foldToLimit", () => {
  it("leaves a batch within the limit alone", () => {
    const rows = Array.from({ length: 25 }, (_, i) => r({ cpuMs: i }));
    expect(foldToLimit(rows, 25)).toEqual(rows);
  });

  it("keeps as many single rows as fit, folding the rest by the finest key", () => {
    const rows = Array.from({ length: 30 }, (_, i) => r({ outcome: i % 2 === 0 ? "ok" : "exception" }));
    const out = foldToLimit(rows, 25);
    expect(out).toHaveLength(25);
    expect(out.slice(0, 23).every((p) => p.pointKind === "single")).toBe(true);
    expect(out.slice(23).map((p) => [p.outcome, p.invocations])).toEqual([["exception", 4], ["ok", 3]]);
  });

  it("coarsens the key when the finest one has too many groups", () => {
    const rows = Array.from({ length: 60 }, (_, i) => r({ tenant: `t${i % 5}`, status: 200 + i }));
    const out = foldToLimit(rows, 25);
    expect(out.length).toBeLessThanOrEqual(25);
    expect(out.reduce((n, p) => n + p.invocations, 0)).toBe(60);
    for (let t = 0; t < 5; t++) expect(out.filter((p) => p.tenant === `t${t}`).reduce((n, p) => n + p.invocations, 0)).toBe(12);
  });
});
