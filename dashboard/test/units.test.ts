/** Small pure pieces: bucket keys, CSV, the script-safe JSON, period parsing. */
import { describe, expect, it } from "vitest";
import { periodRefusal, retentionStart, usageCsv, usageExport } from "@tenantscope/core/usage";
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
    const period = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), label: "2026-11" };
    const row = { tenant: "=cmd", customer: "", plan: "-x", invocations: "1", ok: 1, failed: 0, cpu_ms: 0.12345, wall_ms: 2, first_seen: "2026-11-02 10:00:00", last_seen: "2026-11-02 10:00:00" };
    const csv = usageCsv(usageExport([row], period, { tenant: null, customer: null }, Date.UTC(2026, 11, 1, 8)));
    expect(csv.split("\r\n")[1]).toBe("'=cmd,'=cmd,'-x,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,1,1,0,0.123,2,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,2026-12-01T08:00:00Z,tenant_invocations");
  });

  it("keeps periods within AE's three months and not in the future", () => {
    const now = Date.UTC(2026, 4, 31, 12);
    // Three calendar months back, the day clamped: Feb 31 is Feb 28.
    expect(new Date(retentionStart(now)).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    const month = (y: number, m: number) => ({ from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1), label: `${y}-${m + 1}` });
    expect(periodRefusal(month(2026, 2), now)).toBeNull();
    expect(periodRefusal(month(2026, 4), now)).toBeNull();
    expect(periodRefusal(month(2026, 1), now)).toMatch(/before 2026-02-28T12:00:00Z: .* The oldest whole month still kept is 2026-03\.$/);
    expect(periodRefusal(month(2026, 5), now)).toMatch(/has not begun: it starts 2026-06-01T00:00:00Z and it is now 2026-05-31T12:00:00Z/);
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
