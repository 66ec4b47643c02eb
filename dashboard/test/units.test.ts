/** Small pure pieces: bucket keys, CSV, the script-safe JSON, period parsing. */
import { describe, expect, it } from "vitest";
import { billingCsv } from "../src/queries/billing.ts";
import { limitPosition } from "../src/queries/plans.ts";
import { parsePeriod } from "../src/params.ts";
import { bucketStarts, normalizeBucketKey } from "../src/sql/build.ts";
import { scriptJson } from "../src/views/layout.ts";

describe("pure helpers", () => {
  it("maps Date-typed and ISO bucket starts to one key", () => {
    expect(normalizeBucketKey("2026-11-23")).toBe("2026-11-23 00:00:00");
    expect(normalizeBucketKey("2026-11-23T10:15:00Z")).toBe("2026-11-23 10:15:00");
    expect(normalizeBucketKey("2026-11-23 10:15:00")).toBe("2026-11-23 10:15:00");
  });

  it("lists every bucket of a window, aligned as toStartOfInterval aligns them", () => {
    const from = Date.UTC(2026, 10, 23, 10, 7, 30);
    expect(bucketStarts(from, from + 30 * 60_000, "15m").map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["10:00", "10:15", "10:30"]);
  });

  it("writes CSV that spreadsheets cannot run", () => {
    const csv = billingCsv({ period: { from: "", to: "", label: "" }, tenant: null, rows: [{ tenant: "=cmd", invocations: 1, cpuMs: 0.12345, wallMs: 2 }], totals: { invocations: 1, cpuMs: 0.12345, wallMs: 2 } });
    expect(csv.split("\r\n")[1]).toBe("'=cmd,1,0.123,2");
  });

  it("embeds JSON that cannot close its script element", () => {
    const text = scriptJson({ m: "</script><script>alert(1)</script>", amp: "&", ls: "\u2028" });
    expect(text).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(text)).toEqual({ m: "</script><script>alert(1)</script>", amp: "&", ls: "\u2028" });
  });

  it("places a limit on the histogram's bins", () => {
    expect(limitPosition(10)).toEqual({ bin: 5, fraction: 0 });
    expect(limitPosition(15)).toEqual({ bin: 5, fraction: 0.5 });
    expect(limitPosition(300_000)).toEqual({ bin: 17, fraction: 0 });
  });

  it("parses billing periods: months, day ranges (end day included), the current month", () => {
    expect(parsePeriod({ month: "2024-02" }, 0)).toEqual({ from: Date.UTC(2024, 1, 1), to: Date.UTC(2024, 2, 1), label: "2024-02" });
    expect(parsePeriod({ from: "2024-02-28", to: "2024-02-29" }, 0)).toEqual({ from: Date.UTC(2024, 1, 28), to: Date.UTC(2024, 2, 1), label: "2024-02-28_2024-02-29" });
    expect(parsePeriod({}, Date.UTC(2026, 11, 31, 23, 59)).label).toBe("2026-12");
    expect(() => parsePeriod({ from: "2023-01-01", to: "2024-12-31" }, 0)).toThrow(/at most 366 days/);
  });
});
