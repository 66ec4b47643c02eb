/**
 * The time window (src/time.ts) and the query allow-list: presets, absolute from/to,
 * the bucket chosen from the span or picked, and a 400 that names any parameter a
 * page does not take, on every page and JSON twin.
 */
import { describe, expect, it } from "vitest";
import type { Overview } from "../src/queries/overview.ts";
import { autoBucket, bucketsFor, isoSeconds, parseWindow } from "../src/time.ts";
import { DAY, MIN, anchorMs, harness, json } from "./helpers.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 30);
const HOUR = 60 * MIN;

describe("time window", () => {
  it("ends a preset at the current second, and chooses the bucket from the span", () => {
    const cases: [string, number, string][] = [
      ["15m", 15 * MIN, "1m"],
      ["1h", HOUR, "1m"],
      ["3h", 3 * HOUR, "1m"],
      ["12h", 12 * HOUR, "5m"],
      ["24h", DAY, "15m"],
      ["7d", 7 * DAY, "1h"],
      ["30d", 30 * DAY, "6h"],
    ];
    for (const [range, span, bucket] of cases) {
      const w = parseWindow({ range }, NOW);
      expect(w, range).toMatchObject({ range, to: NOW - 30_000 + 31_000, bucket, bucketAuto: true });
      expect(w.to - w.from, range).toBe(span);
      expect((w.to - w.from) / 60_000 / Number.parseInt(bucket, 10), range).toBeGreaterThan(0);
    }
    expect(parseWindow({}, NOW).range).toBe("24h");
    expect(parseWindow({}, NOW, "7d").range).toBe("7d");
  });

  it("keeps every automatic bucket at 200 bars or fewer, and offers only buckets up to 750", () => {
    for (const span of [MIN, 15 * MIN, 2 * HOUR, DAY, 9 * DAY, 30 * DAY, 93 * DAY]) {
      const bucket = autoBucket(span);
      expect(bucketsFor(span)).toContain(bucket);
    }
    expect(autoBucket(93 * DAY)).toBe("12h");
    expect(bucketsFor(15 * MIN)).toEqual(["1m", "5m", "15m"]);
    expect(bucketsFor(30 * DAY)).toEqual(["1h", "3h", "6h", "12h", "1d"]);
  });

  it("reads absolute UTC times, with or without seconds and Z, and picks a bucket", () => {
    const w = parseWindow({ from: "2026-12-01T09:30Z", to: "2026-12-01T11:30:15", bucket: "5m" }, NOW);
    expect(w).toMatchObject({ range: "custom", from: Date.UTC(2026, 11, 1, 9, 30), to: Date.UTC(2026, 11, 1, 11, 30, 15), bucket: "5m", bucketAuto: false });
    expect(isoSeconds(w.to)).toBe("2026-12-01T11:30:15Z");
    expect(parseWindow({ from: "2026-12-01 09:30:00", to: "2026-12-01 10:30:00" }, NOW).bucket).toBe("1m");
  });

  it("refuses bad windows with a message that says what is allowed", () => {
    const bad: [Parameters<typeof parseWindow>[0], RegExp][] = [
      [{ range: "2h" }, /range must be one of 15m, 1h, 3h, 12h, 24h, 7d, 30d/],
      [{ from: "2026-12-01T09:00Z" }, /from and to go together/],
      [{ range: "1h", from: "2026-12-01T09:00Z", to: "2026-12-01T10:00Z" }, /either range, or from and to/],
      [{ from: "2026-02-30T09:00Z", to: "2026-03-01T10:00Z" }, /from must be a UTC time/],
      [{ from: "2026-12-01T09:00+01:00", to: "2026-12-01T10:00Z" }, /from must be a UTC time/],
      [{ from: "1764579600000", to: "2026-12-01T10:00Z" }, /from must be a UTC time/],
      [{ from: "2026-12-01T10:00Z", to: "2026-12-01T09:00Z" }, /at least a minute after from/],
      [{ from: "2026-06-01T10:00Z", to: "2026-12-01T10:00Z" }, /at most 93 days/],
      [{ from: "2026-12-01T10:00Z", to: "2026-12-02T10:00Z" }, /must not be in the future/],
      [{ range: "1h", bucket: "1d" }, /bucket for this window must be one of 1m, 5m, 15m, 30m, 1h/],
      [{ range: "30d", bucket: "1m" }, /bucket for this window must be one of 1h, 3h/],
    ];
    for (const [q, message] of bad) expect(() => parseWindow(q, NOW), JSON.stringify(q)).toThrow(message);
  });
});

describe("time window on the pages", () => {
  it("shows the absolute window it was asked for: fixture points inside count, outside do not", async () => {
    const anchor = anchorMs();
    // alpha's points are 5-8 minutes before the anchor; this window holds only the one at 6 minutes.
    const from = isoSeconds(anchor - 6 * MIN - 30_000);
    const to = isoSeconds(anchor - 5 * MIN - 30_000);
    const o = await json<Overview>(await harness().request(`/api/overview?from=${from}&to=${to}`, { as: "support" }));
    expect(o.query).toMatchObject({ range: "custom", from: Date.parse(from), to: Date.parse(to), bucket: "1m" });
    expect(o.totals.requests).toBe(4);
    expect(o.tenants.map((t) => t.tenant)).toEqual(["alpha"]);
  });

  it("renders the time control: every preset, the bucket picker, data as of, and a link with absolute times", async () => {
    const page = await (await harness({ now: () => NOW }).request("/?range=3h&bucket=5m", { as: "support" })).text();
    for (const r of ["15m", "1h", "3h", "12h", "24h", "7d", "30d"]) expect(page).toContain(`href="/?range=${r}`);
    expect(page).toContain('href="/?range=3h&amp;bucket=5m&amp;sort=requests&amp;dir=desc" aria-current="true">5m<');
    expect(page).toContain('data-figure="as-of">2026-12-01 12:00:30 UTC<');
    expect(page).toContain('id="permalink"');
    expect(page).toContain("from=2026-12-01T09%3A00%3A31Z&amp;to=2026-12-01T12%3A00%3A31Z&amp;bucket=5m");
    expect(page).toContain('<select id="auto-refresh"><option value="0">off</option><option value="30">30 s</option><option value="60">1 min</option>');
    // Every time axis says UTC.
    expect(page).toContain('"xTitle":"time (UTC), 5m buckets"');
  });

  it("counts SQL round trips in Server-Timing", async () => {
    const res = await harness().request("/api/overview?range=1h", { as: "support" });
    expect(res.headers.get("server-timing")).toMatch(/^sql;dur=\d+;desc="2 round trips"$/);
  });
});

describe("unknown query parameters", () => {
  const cases: [string, string][] = [
    ["/?rnage=1h", "rnage"],
    ["/api/overview?from=2026-12-01T09:00Z&form=x", "form"],
    ["/tenants/alpha?range=1h&sort=tenant", "sort"],
    ["/api/tenants/alpha?x=1", "x"],
    ["/billing?range=24h", "range"],
    ["/api/billing?month=2026-12&monht=1", "monht"],
    ["/api/billing.csv?foo=", "foo"],
    ["/plans?bucket=5m", "bucket"],
    ["/api/plans?whatiff=pro", "whatiff"],
    ["/api/audit?range=1h", "range"],
    ["/tenants?q=alpha&sort=x", "sort"],
  ];

  it("answers 400 naming the parameter, on every page and JSON twin, before any SQL", async () => {
    for (const [path, name] of cases) {
      const h = harness();
      const res = await h.request(path, { as: "operator" });
      expect(res.status, path).toBe(400);
      const text = await res.text();
      expect(text, path).toContain(path.startsWith("/api/") ? `Unknown query parameter \\"${name}\\"` : `Unknown query parameter &quot;${name}&quot;`);
      expect(h.sent, path).toEqual([]);
    }
  });

  it("lists what the page takes, and refuses a parameter given twice", async () => {
    const res = await harness().request("/api/overview?range=1h&range=24h", { as: "support" });
    expect(res.status).toBe(400);
    expect((await json<{ error: { message: string } }>(res)).error.message).toBe('Query parameter "range" is given more than once.');
    const unknown = await json<{ error: { message: string } }>(await harness().request("/api/tenants/alpha?zoom=1", { as: "support" }));
    expect(unknown.error.message).toBe('Unknown query parameter "zoom": this page takes range, from, to, bucket.');
  });
});
