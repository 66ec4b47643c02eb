/**
 * The local AE's SQL functions and clauses beyond the basics (ae-sql.test.ts), each
 * against results computed by hand: over six imported points, or over constants.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { API, TOKEN, bodyText } from "./helpers.ts";
import { POINTS } from "./six-points.ts";

const DATASET = `sql_fn_${Math.floor(Math.random() * 1e9)}`;


async function post(path: string, body: string): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
  return exports.default.fetch(new Request(`${API}/analytics_engine${path}`, { method: "POST", body, headers }));
}
async function text(sql: string): Promise<{ status: number; body: string }> {
  const res = await post("/sql", sql.replaceAll("$T", DATASET));
  return { status: res.status, body: await bodyText(res) };
}
interface JsonAnswer { meta: { name: string; type: string }[]; data: Record<string, unknown>[]; rows_before_limit_at_least: number }
async function query(sql: string): Promise<JsonAnswer> {
  const res = await text(sql);
  if (res.status !== 200) throw new Error(`${res.status}: ${res.body}`);
  return JSON.parse(res.body) as JsonAnswer;
}
async function data(sql: string): Promise<Record<string, unknown>[]> {
  return (await query(sql)).data;
}
/** One row of constant expressions. */
async function row(select: string): Promise<Record<string, unknown>> {
  return (await data(`SELECT ${select} FROM $T LIMIT 1`))[0] ?? {};
}

beforeAll(async () => {
  const lines = POINTS.map((p) => JSON.stringify({ timestamp: new Date(p.at).toISOString(), _sample_interval: p.si, index1: p.tenant, blobs: p.blobs, doubles: p.doubles }));
  const res = await post(`/_import?dataset=${DATASET}`, lines.join("\n"));
  if (res.status !== 200) throw new Error(`import answered ${res.status}: ${await res.text()}`);
});

describe("rounding: Float64 halves to even (ClickHouse), integers' halves away from zero", () => {
  it("round", async () => {
    expect(await row(`round(2.5) AS a, round(3.5) AS b, round(-2.5) AS c, round(5.5) AS d, round(3.14, 1) AS e,
      round(0.125, 2) AS f, round(0.375, 2) AS g, round(1234.5678, -2) AS h, round(2.6) AS i`))
      .toEqual({ a: 2, b: 4, c: -2, d: 6, e: 3.1, f: 0.12, g: 0.38, h: 1200, i: 3 });
    expect(await row(`round(15, -1) AS a, round(14, -1) AS b, round(-15, -1) AS c, round(7) AS d, round(7, 2) AS e`))
      .toEqual({ a: "20", b: "10", c: "-20", d: "7", e: "7" });
  });

  it("floor, ceil and trunc, with and without precision", async () => {
    expect(await row(`floor(5.5) AS a, floor(3.14, 1) AS b, floor(-2.5) AS c, floor(19, -1) AS d, floor(-11, -1) AS e`))
      .toEqual({ a: 5, b: 3.1, c: -3, d: "10", e: "-20" });
    expect(await row(`ceil(5.5) AS a, ceil(3.14, 1) AS b, ceiling(1.2) AS c, ceil(11, -1) AS d, ceil(-11, -1) AS e, ceil(20, -1) AS f`))
      .toEqual({ a: 6, b: 3.2, c: 2, d: "20", e: "-10", f: "20" });
    expect(await row(`trunc(-2.7) AS a, trunc(3.789, 2) AS b, truncate(19, -1) AS c, trunc(-19, -1) AS d`))
      .toEqual({ a: -2, b: 3.78, c: "10", d: "-10" });
  });

  it("per row, with the argument's type", async () => {
    const answer = await query(`SELECT round(double1 / 4) AS r, floor(_sample_interval, -1) AS f FROM $T ORDER BY timestamp`);
    expect(answer.meta.map((m) => m.type)).toEqual(["Float64", "UInt32"]);
    // 5/4=1.25, 15/4=3.75, 10/4=2.5 (even: 2), 60/4=15, 2/4=0.5 (even: 0), 1/4=0.25.
    expect(answer.data.map((d) => d.r)).toEqual([1, 4, 2, 15, 0, 0]);
    expect(answer.data.map((d) => d.f)).toEqual([0, 0, 0, 0, 0, 10]);
  });
});

describe("mathematical functions", () => {
  it("log/ln, log2, log10, exp, sqrt, pow", async () => {
    const r = await row(`log(1) AS a, ln(exp(2)) AS b, log2(8) AS c, log10(1000) AS d, sqrt(16) AS e, pow(2, 10) AS f, pow(double1, 2) AS g`);
    expect(r).toMatchObject({ a: 0, c: 3, e: 4, f: 1024, g: 25 });
    expect(r.b).toBeCloseTo(2, 12);
    expect(r.d).toBeCloseTo(3, 12);
  });

  it("intDiv and % truncate toward zero; float % is fmod; nan/inf render as null", async () => {
    expect(await row(`intDiv(7, 2) AS a, intDiv(-7, 2) AS b, intDiv(7.5, 2) AS c, 7 % 3 AS d, -7 % 2 AS e, 7.5 % 2 AS f, abs(-3) AS g`))
      .toEqual({ a: "3", b: "-3", c: "3", d: "1", e: "-1", f: 1.5, g: "3" });
    expect(await row(`1 / 0 AS a, ln(0) AS b, sqrt(-1) AS c`)).toEqual({ a: null, b: null, c: null });
    // The division-by-zero check only fires on a zero divisor, per row.
    expect(await data(`SELECT intDiv(_sample_interval * 10, _sample_interval) AS a, _sample_interval % 3 AS b FROM $T ORDER BY timestamp`))
      .toEqual([1, 1, 2, 4, 1, 10].map((si) => ({ a: "10", b: String(si % 3) })));
  });

  it("bit functions on integers", async () => {
    expect(await row(`bitAnd(12, 10) AS a, bitOr(1, 2) AS b, bitXor(1, 2) AS c, bitXor(3, 3) AS d, bitShiftLeft(1, 1) AS e,
      bitShiftRight(12, 2) AS f, bitTest(3, 1) AS g, bitTest(2, 0) AS h, bitCount(7) AS i, bitHammingDistance(3, 0) AS j`))
      .toEqual({ a: "8", b: "3", c: "3", d: "0", e: "2", f: "3", g: 1, h: 0, i: "3", j: "2" });
  });

  it("hex and bin: from the most significant non-zero byte", async () => {
    expect(await row(`hex(1) AS a, hex(255) AS b, hex(256) AS c, hex('abc') AS d, bin(1) AS e, bin(256) AS f, hex(0) AS g`))
      .toEqual({ a: "01", b: "FF", c: "0100", d: "616263", e: "00000001", f: "0000000100000000", g: "00" });
  });
});

describe("string functions", () => {
  it("length counts code points (lengthUTF8), empty, notEmpty", async () => {
    expect(await row(`length('héllo') AS a, lengthUTF8('héllo') AS b, length(blob1) AS c, empty('') AS d, empty('a') AS e, notEmpty('a') AS f`))
      .toEqual({ a: "5", b: "5", c: "5", d: 1, e: 0, f: 1 });
  });

  it("lower/upper are ASCII-only; lowerUTF8/upperUTF8/toLower/toUpper are not", async () => {
    expect(await row(`lower('ÀBC') AS a, upper('àbc') AS b, lowerUTF8('ÀBÇ Σ Д x') AS c, upperUTF8('àbç σ д X') AS d, toLower(blob1) AS e, toUpper('é') AS f`))
      .toEqual({ a: "Àbc", b: "àBC", c: "àbç σ д x", d: "ÀBÇ Σ Д X", e: "alpha", f: "É" });
  });

  it("startsWith, endsWith, position (both spellings)", async () => {
    expect(await row(`startsWith('prefix ...', 'prefix') AS a, startsWith('abc', 'b') AS b, endsWith('prefix suffix', 'suffix') AS c,
      endsWith('abc', '') AS d, position(':' IN 'hello: world') AS e, position('hello', 'z') AS f, position('héllo', 'l') AS g`))
      .toEqual({ a: 1, b: 0, c: 1, d: 1, e: "6", f: "0", g: "3" });
  });

  it("substring: 1-based code points, 0, negative offset and length", async () => {
    expect(await row(`substring('hello world', 6) AS a, substring('hello: world', 1, position(':' IN 'hello: world') - 1) AS b,
      substring('hello', 0) AS c, substring('hello', -3) AS d, substring('hello', 2, -1) AS e, substr('héllo', 2, 2) AS f, substring('hello', -3, -1) AS g`))
      .toEqual({ a: " world", b: "hello", c: "", d: "llo", e: "ell", f: "él", g: "ll" });
  });

  it("format, concat and extract", async () => {
    expect(await data(`SELECT format('blob1: {}', blob1) AS s FROM $T ORDER BY timestamp LIMIT 1`)).toEqual([{ s: "blob1: alpha" }]);
    expect(await row(`format('{1}-{0}', 'a', 'b') AS a, format('{} {{x}}', 1) AS b, format('{}|{}', 2.5, toDateTime('2022-06-06 11:30:15')) AS c,
      concat('a', 1, 'b') AS d, extract(SECOND from toDateTime('2022-06-06 11:30:15')) AS e, extract(YEAR FROM toDateTime('2022-06-06 11:30:15')) AS f`))
      .toEqual({ a: "b-a", b: "1 {x}", c: "2.5|2022-06-06 11:30:15", d: "a1b", e: 15, f: 2022 });
  });
});

describe("date and time functions", () => {
  const at = (s: string): string => `toDateTime('${s}')`;

  it("calendar fields, with ClickHouse's types", async () => {
    const answer = await query(`SELECT toYear(${at("2025-10-27 00:00:00")}) AS y, toMonth(${at("2025-10-27 00:00:00")}) AS m,
      toDayOfMonth(${at("2025-10-27 00:00:00")}) AS d, toDayOfWeek(${at("2025-10-27 00:00:00")}) AS mon, toDayOfWeek(${at("2025-11-02 00:00:00")}) AS sun,
      toHour(${at("2025-10-27 09:11:13")}) AS h, toMinute(${at("2025-10-27 09:11:13")}) AS mi, toSecond(${at("2025-10-27 09:11:13")}) AS s,
      toYYYYMM(${at("2025-10-27 16:55:25")}) AS ym FROM $T LIMIT 1`);
    expect(answer.data[0]).toEqual({ y: 2025, m: 10, d: 27, mon: 1, sun: 7, h: 9, mi: 11, s: 13, ym: 202510 });
    expect(answer.meta.map((c) => c.type)).toEqual(["UInt16", "UInt8", "UInt8", "UInt8", "UInt8", "UInt8", "UInt8", "UInt8", "UInt32"]);
  });

  it("toStartOf… (toStartOfWeek starts on Monday, as AE's reference says)", async () => {
    const t = at("2025-10-29 16:55:25");
    expect(await row(`toStartOfTenMinutes(${t}) AS a, toStartOfFifteenMinutes(${t}) AS b, toStartOfWeek(${t}) AS c, toStartOfWeek(${t}, 0) AS d,
      toStartOfYear(${t}) AS e, toStartOfMonth(${t}) AS f, toStartOfInterval(${t}, INTERVAL '1' DAY, 'Etc/UTC') AS g`))
      .toEqual({ a: "2025-10-29 16:50:00", b: "2025-10-29 16:45:00", c: "2025-10-27", d: "2025-10-26", e: "2025-01-01", f: "2025-10-01", g: "2025-10-29 00:00:00" });
  });

  it("formatDateTime with ClickHouse's specifiers", async () => {
    const t = at("2025-10-27 09:05:03");
    expect(await row(`formatDateTime(${t}, '%Y-%m-%d %H:%i:%S') AS a, formatDateTime(${t}, '%a %b %e %M %W %j %p %Q %y %C %D', 'Etc/UTC') AS b,
      formatDateTime(${t}, '%F %T %u %V %w %R %r %h %f %% %c %I %l %k %s %G %g') AS c`))
      .toEqual({ a: "2025-10-27 09:05:03", b: "Mon Oct 27 October Monday 300 AM 4 25 20 10/27/25", c: "2025-10-27 09:05:03 1 44 1 09:05 09:05 AM 09 000000 % 10 09  9  9 03 2025 25" });
  });

  it("toDateTime of a unix timestamp string, and month arithmetic clamps to the month's end", async () => {
    expect(await row(`toDateTime('355924804') AS a, toDateTime(355924804) AS b, toUnixTimestamp(${at("1981-04-12 12:00:04")}) AS c`))
      .toEqual({ a: "1981-04-12 12:00:04", b: "1981-04-12 12:00:04", c: 355924804 });
    expect(await row(`${at("2026-01-31 10:00:00")} + INTERVAL 1 MONTH AS a, ${at("2024-01-31 00:00:00")} + INTERVAL '1' MONTH AS b,
      ${at("2026-03-31 00:00:00")} - INTERVAL 1 MONTH AS c, ${at("2026-01-31 00:00:00")} + INTERVAL 1 QUARTER AS d,
      ${at("2024-02-29 12:00:00")} + INTERVAL 1 YEAR AS e, ${at("2026-01-15 00:00:00")} + INTERVAL 1 MONTH AS f`))
      .toEqual({ a: "2026-02-28 10:00:00", b: "2024-02-29 00:00:00", c: "2026-02-28 00:00:00", d: "2026-04-30 00:00:00", e: "2025-02-28 12:00:00", f: "2026-02-15 00:00:00" });
  });

  it("SHOW TIMEZONE and SHOW TIMEZONES (UTC only)", async () => {
    expect((await query("SHOW TIMEZONE")).data).toEqual([{ timezone: "Etc/UTC" }]);
    expect((await query("SHOW TIMEZONES FORMAT JSON")).data).toContainEqual({ name: "Etc/UTC" });
  });
});

describe("conditional and type-conversion functions", () => {
  it("multiIf picks the first true condition", async () => {
    // double1: 5, 15, 10, 60, 2, 1.
    expect(await data(`SELECT multiIf(double1 > 50, 'slow', double1 > 8, 'mid', 'fast') AS speed, count() AS n FROM $T GROUP BY speed ORDER BY speed`))
      .toEqual([{ speed: "fast", n: "3" }, { speed: "mid", n: "2" }, { speed: "slow", n: "1" }]);
    const answer = await query(`SELECT if(1 = 1, 2, 3.5) AS a, multiIf(0, 1, 0, 2, NULL) AS b FROM $T LIMIT 1`);
    expect(answer.data).toEqual([{ a: 2, b: null }]);
    expect(answer.meta.map((m) => m.type)).toEqual(["Float64", "UInt64"]);
  });

  it("toUInt8/toUInt32 truncate and wrap; toFloat64 parses", async () => {
    expect(await row(`toUInt8(300) AS a, toUInt8(-1) AS b, toUInt8('12') AS c, toUInt8(3.9) AS d, toUInt32(double1 * 1.5) AS e, toFloat64('1.5') AS f, toUInt8(blob1) AS g`))
      .toEqual({ a: 44, b: 255, c: 12, d: 3, e: 7, f: 1.5, g: 0 });
  });

  it("a bare NULL is Nullable(Nothing) and renders as null", async () => {
    const answer = await query(`SELECT NULL AS n FROM $T LIMIT 1`);
    expect(answer.meta).toEqual([{ name: "n", type: "Nullable(Nothing)" }]);
    expect(answer.data).toEqual([{ n: null }]);
  });
});

describe("aggregate functions", () => {
  it("count, sum and avg with DISTINCT", async () => {
    // _sample_interval: 1, 1, 2, 4, 1, 10 → distinct 1, 2, 4, 10.
    expect(await data(`SELECT count(DISTINCT blob2) AS a, sum(DISTINCT _sample_interval) AS b, avg(DISTINCT _sample_interval) AS c FROM $T`))
      .toEqual([{ a: "3", b: "17", c: 4.25 }]);
  });

  it("argMax, argMin, first_value, last_value, overall and per group", async () => {
    expect(await data(`SELECT argMax(blob1, double1) AS a, argMin(blob1, double1) AS b, first_value(double1) AS f, last_value(double1) AS l FROM $T`))
      .toEqual([{ a: "beta", b: "Gamma", f: 5, l: 1 }]);
    expect(await data(`SELECT index1 AS t, argMax(blob3, double1) AS m, first_value(double1) AS f, last_value(double1) AS l FROM $T GROUP BY t ORDER BY t`))
      .toEqual([{ t: "Gamma", m: "GET", f: 1, l: 1 }, { t: "alpha", m: "POST", f: 5, l: 10 }, { t: "beta", m: "GET", f: 60, l: 2 }]);
    // The reference's own example: ORDER BY on a one-row aggregate is accepted.
    expect(await data(`SELECT first_value(blob2) AS v FROM $T ORDER BY timestamp ASC`)).toEqual([{ v: "ok" }]);
  });

  it("topK and topKWeighted return arrays: by count (or weight), ties by value", async () => {
    const answer = await query(`SELECT topK(blob3) AS a, topK(2)(blob3) AS b, topKWeighted(blob2, _sample_interval) AS c, topK(double1) AS d,
      topK(3)(_sample_interval) AS e, topK(2)(toUInt64(_sample_interval)) AS f FROM $T`);
    expect(answer.meta.map((m) => m.type)).toEqual(["Array(String)", "Array(String)", "Array(String)", "Array(Float64)", "Array(UInt32)", "Array(UInt64)"]);
    expect(answer.data).toEqual([{ a: ["GET", "POST", "get"], b: ["GET", "POST"], c: ["ok", "exceededCpu", "exception"], d: [1, 2, 5, 10, 15, 60], e: [1, 2, 4], f: ["1", "2"] }]);
    expect(await data(`SELECT index1 AS t, topK(2)(blob3) AS k, length(topK(blob3)) AS n FROM $T GROUP BY 1 ORDER BY 1`))
      .toEqual([{ t: "Gamma", k: ["GET"], n: "1" }, { t: "alpha", k: ["GET", "POST"], n: "2" }, { t: "beta", k: ["GET", "get"], n: "2" }]);
  });

  it("arrays in JSONEachRow and TabSeparated", async () => {
    expect((await text(`SELECT topK(2)(blob3) AS k, topK(2)(double1) AS d FROM $T FORMAT JSONEachRow`)).body).toBe(`{"k":["GET","POST"],"d":[1,2]}\n`);
    expect((await text(`SELECT topK(2)(blob3), topK(2)(double1) FROM $T FORMAT TabSeparated`)).body).toBe(`['GET','POST']\t[1,2]\n`);
  });

  it("over no rows: type defaults (0, '', []), count 0, avg null", async () => {
    expect(await data(`SELECT min(double1) AS m, max(blob1) AS b, count() AS n, topK(blob1) AS k, argMax(blob1, double1) AS a, avg(double1) AS v FROM $T WHERE double1 > 1000`))
      .toEqual([{ m: 0, b: "", n: "0", k: [], a: "", v: null }]);
  });
});

describe("GROUP BY validation", () => {
  it.each([
    [`SELECT blob1, count() FROM $T`, "blob1"],
    [`SELECT index1 AS t, blob2, count() FROM $T GROUP BY t`, "blob2"],
    [`SELECT index1, count() FROM $T GROUP BY index1 HAVING blob2 = 'ok'`, "blob2"],
    [`SELECT index1, count() FROM $T GROUP BY index1 ORDER BY double1`, "double1"],
    [`SELECT index1, double1 + sum(double1) FROM $T GROUP BY index1`, "double1"],
  ])("%s is refused, naming %s", async (sql, column) => {
    const res = await text(sql);
    expect(res.status).toBe(400);
    expect(res.body).toContain(`Column \`${column}\` is not under aggregate function and not in GROUP BY`);
  });

  it("accepts expressions of the keys, aliases and positions", async () => {
    expect(await data(`SELECT lower(index1) AS t, upper(index1) AS u, count() + 1 AS n FROM $T GROUP BY index1 ORDER BY 1`))
      .toEqual([{ t: "alpha", u: "ALPHA", n: "4" }, { t: "beta", u: "BETA", n: "3" }, { t: "gamma", u: "GAMMA", n: "2" }]);
  });
});

describe("LIMIT ALL and OFFSET", () => {
  it("LIMIT ALL is no limit; OFFSET alone skips", async () => {
    expect(await data(`SELECT double1 FROM $T ORDER BY timestamp LIMIT ALL`)).toHaveLength(6);
    const page = await query(`SELECT double1 FROM $T ORDER BY timestamp OFFSET 4`);
    expect(page.data).toEqual([{ double1: 2 }, { double1: 1 }]);
    expect(page.rows_before_limit_at_least).toBe(6);
  });
});

describe("refusals name the construct", () => {
  it.each([
    [`SELECT intDiv(double1, 0) FROM $T`, "Division by zero"],
    [`SELECT _sample_interval % 0 FROM $T`, "Division by zero"],
    [`SELECT bitNot(1) FROM $T`, "bitNot"],
    [`SELECT hex(1.5) FROM $T`, "hex() of a Float64"],
    [`SELECT toDateTime('2022-12-01 16:17:00', 'America/New_York') FROM $T`, "Time zone 'America/New_York'"],
    [`SELECT formatDateTime(timestamp, '%Z') FROM $T`, "%Z"],
    [`SELECT formatDateTime(timestamp, blob1) FROM $T`, "constant format"],
    [`SELECT format('{} {}', 'a') FROM $T`, "argument 2"],
    [`SELECT multiIf(1, 'a') FROM $T`, "multiIf"],
    [`SELECT toUInt8('abc') FROM $T`, "Cannot parse string 'abc'"],
    [`SELECT quantileExactWeighted(0.5)(DISTINCT double1, _sample_interval) FROM $T`, "DISTINCT inside quantileExactWeighted"],
    [`SELECT topK(0)(blob1) FROM $T`, "topK: N"],
    [`SELECT topKWeighted(blob1, double1) FROM $T`, "weight must be an integer"],
    [`SELECT topK(blob1) = 'x' FROM $T`, "arrays"],
    [`SELECT round(double1, blob1) FROM $T`, "round precision"],
    [`SELECT extract(WEEK FROM timestamp) FROM $T`, "extract supports"],
    [`SELECT upper(double1) FROM $T`, "Illegal type Float64 of argument of function upper"],
    [`SHOW COLUMNS`, "SHOW"],
  ])("%s → 4xx naming %s", async (sql, named) => {
    const res = await text(sql);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toContain(named);
  });
});
