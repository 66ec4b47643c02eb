/**
 * The local AE's SQL dialect, each construct against results computed by hand over
 * six imported points (three with _sample_interval > 1).
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runSql } from "../src/sql/engine.ts";
import { parse } from "../src/sql/parser.ts";
import { translateSelect } from "../src/sql/select.ts";
import { API, TOKEN, bodyText } from "./helpers.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Two days ago at 00:00 UTC: recent enough for the 3-month retention, whole hours for bucketing. */
const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const DATASET = `sql_test_${Math.floor(Math.random() * 1e9)}`;

const fmt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

// tenant, outcome, method; doubles: cpu ms, invocations
const POINTS = [
  { at: T0 + 10_000, si: 1, tenant: "alpha", blobs: ["alpha", "ok", "GET"], doubles: [5, 1] },
  { at: T0 + 50_000, si: 1, tenant: "alpha", blobs: ["alpha", "exception", "POST"], doubles: [15, 1] },
  { at: T0 + 90_000, si: 2, tenant: "alpha", blobs: ["alpha", "ok", "GET"], doubles: [10, 1] },
  { at: T0 + HOUR, si: 4, tenant: "beta", blobs: ["beta", "exceededCpu", "GET"], doubles: [60, 1] },
  { at: T0 + HOUR + 1_800_000, si: 1, tenant: "beta", blobs: ["beta", "ok", "get"], doubles: [2, 1] },
  { at: T0 + DAY, si: 10, tenant: "Gamma", blobs: ["Gamma", "ok", "GET"], doubles: [1, 1] },
];

async function post(path: string, body: string): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
  return exports.default.fetch(new Request(`${API}/analytics_engine${path}`, { method: "POST", body, headers }));
}

interface JsonAnswer {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
  rows_before_limit_at_least: number;
}

async function query(sql: string): Promise<JsonAnswer> {
  const res = await post("/sql", sql);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status}: ${text}`);
  return JSON.parse(text) as JsonAnswer;
}
async function data(sql: string): Promise<Record<string, unknown>[]> {
  return (await query(sql.replaceAll("$T", DATASET))).data;
}
async function refused(sql: string): Promise<{ status: number; text: string }> {
  const res = await post("/sql", sql.replaceAll("$T", DATASET));
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  const lines = POINTS.map((p) => JSON.stringify({ timestamp: new Date(p.at).toISOString(), _sample_interval: p.si, index1: p.tenant, blobs: p.blobs, doubles: p.doubles }));
  const res = await post(`/_import?dataset=${DATASET}`, lines.join("\n"));
  if (res.status !== 200) throw new Error(`import answered ${res.status}: ${await res.text()}`);
});

describe("SELECT basics", () => {
  it("answers JSON with meta, data, rows and 64-bit integers quoted", async () => {
    const answer = await query(`SELECT count() AS n, sum(_sample_interval) AS requests, avg(double1) AS cpu FROM ${DATASET}`);
    expect(answer.meta).toEqual([{ name: "n", type: "UInt64" }, { name: "requests", type: "UInt64" }, { name: "cpu", type: "Float64" }]);
    expect(answer.data).toEqual([{ n: "6", requests: "19", cpu: 15.5 }]);
    expect(answer.rows).toBe(1);
    expect(answer.rows_before_limit_at_least).toBe(1);
  });

  it("groups with sampling correction, orders by an alias, HAVING, LIMIT/OFFSET", async () => {
    const sql = `SELECT index1 AS tenant, SUM(_sample_interval) AS requests, SUM(_sample_interval * double1) AS cpu
      FROM $T GROUP BY tenant ORDER BY requests DESC`;
    expect(await data(sql)).toEqual([
      { tenant: "Gamma", requests: "10", cpu: 10 },
      { tenant: "beta", requests: "5", cpu: 242 },
      { tenant: "alpha", requests: "4", cpu: 40 },
    ]);
    expect(await data(`SELECT index1 AS t, sum(_sample_interval) AS r FROM $T GROUP BY t HAVING r > 4 ORDER BY t`))
      .toEqual([{ t: "Gamma", r: "10" }, { t: "beta", r: "5" }]);
    const page = await query(`SELECT index1 AS t, sum(_sample_interval) AS r FROM ${DATASET} GROUP BY t ORDER BY r DESC LIMIT 1 OFFSET 1`);
    expect(page.data).toEqual([{ t: "beta", r: "5" }]);
    expect(page.rows_before_limit_at_least).toBe(3);
    expect(await data(`SELECT index1 FROM $T ORDER BY timestamp ASC LIMIT 1, 1`)).toEqual([{ index1: "alpha" }]);
    // Past the end the count still holds; DISTINCT counts distinct rows.
    const empty = await query(`SELECT index1 AS t, sum(_sample_interval) AS r FROM ${DATASET} GROUP BY t LIMIT 5 OFFSET 10`);
    expect([empty.data, empty.rows_before_limit_at_least]).toEqual([[], 3]);
    const distinct = await query(`SELECT DISTINCT index1 AS t FROM ${DATASET} ORDER BY t LIMIT 1`);
    expect([distinct.data.length, distinct.rows_before_limit_at_least]).toEqual([1, 3]);
  });

  it("names unaliased columns by their text and renders DateTime in UTC", async () => {
    const answer = await query(`SELECT min(timestamp), max(double1), toUInt32(max(double1)) FROM ${DATASET}`);
    expect(answer.meta.map((m) => m.type)).toEqual(["DateTime", "Float64", "UInt32"]);
    expect(answer.data).toEqual([{ "min(timestamp)": fmt(T0 + 10_000), "max(double1)": 60, "toUInt32(max(double1))": 60 }]);
  });
});

describe("aliases", () => {
  it("an alias that shadows a column means the column inside its own definition, and the alias elsewhere", async () => {
    expect(await data(`SELECT double1 * 2 AS double1 FROM $T WHERE double1 = 120`)).toEqual([{ double1: 120 }]);
    expect(await data(`SELECT sum(double1) AS double1 FROM $T`)).toEqual([{ double1: 93 }]);
  });
});

describe("WHERE", () => {
  const count = async (where: string): Promise<unknown> => (await data(`SELECT count() AS n FROM $T WHERE ${where}`))[0]?.n;

  it("AND, OR, NOT, comparisons and IN", async () => {
    expect(await count(`blob2 = 'ok' AND NOT index1 = 'beta'`)).toBe("3");
    expect(await count(`blob2 = 'exception' OR blob2 = 'exceededCpu'`)).toBe("2");
    expect(await count(`double1 >= 10 AND double1 < 60`)).toBe("2");
    expect(await count(`double1 <> 5`)).toBe("5");
    expect(await count(`blob2 IN ('ok', 'exception')`)).toBe("5");
    expect(await count(`blob2 NOT IN ('ok', 'exception')`)).toBe("1");
  });

  it("LIKE is case-sensitive and ILIKE is not", async () => {
    expect(await count(`blob3 LIKE 'G%'`)).toBe("4");
    expect(await count(`blob3 LIKE '_ET'`)).toBe("4");
    expect(await count(`blob3 ILIKE 'g%'`)).toBe("5");
    expect(await count(`index1 LIKE 'gamma'`)).toBe("0");
    expect(await count(`index1 ILIKE 'gamma'`)).toBe("1");
    expect(await count(`index1 NOT LIKE '%a'`)).toBe("0");
  });

  it("toDateTime, NOW() and INTERVAL arithmetic", async () => {
    expect(await count(`timestamp >= toDateTime('${fmt(T0 + HOUR)}')`)).toBe("3");
    expect(await count(`timestamp < '${fmt(T0 + 60_000)}'`)).toBe("2");
    // Second boundaries, which compare stored milliseconds through the timestamp index.
    const at = fmt(T0 + 10_000);
    expect(await count(`timestamp > '${at}'`)).toBe("5");
    expect(await count(`timestamp >= '${at}'`)).toBe("6");
    expect(await count(`timestamp = toDateTime('${at}')`)).toBe("1");
    expect(await count(`timestamp <= '${at}'`)).toBe("1");
    expect(await count(`'${at}' < timestamp`)).toBe("5");
    expect(await count(`timestamp != '${at}'`)).toBe("5");
    expect(await count(`timestamp > ${(T0 + 10_000) / 1000}`)).toBe("5");
    const now = T0 + DAY + 12 * HOUR;
    const run = async (sql: string): Promise<unknown> => JSON.parse((await runSql(env, sql.replaceAll("$T", DATASET), now)).body) as JsonAnswer;
    expect(await run(`SELECT count() AS n FROM $T WHERE timestamp > NOW() - INTERVAL '1' DAY`)).toMatchObject({ data: [{ n: "1" }] });
    expect(await run(`SELECT count() AS n FROM $T WHERE timestamp > NOW() - INTERVAL 35 HOUR`)).toMatchObject({ data: [{ n: "2" }] });
    expect(await run(`SELECT count() AS n FROM $T WHERE timestamp >= NOW() - INTERVAL '36' HOUR`)).toMatchObject({ data: [{ n: "6" }] });
    expect(await data(`SELECT toDateTime('2026-01-15 10:00:00') + INTERVAL '2' MONTH AS m, toDateTime('2026-01-15 10:00:00') - INTERVAL 90 MINUTE AS b FROM $T LIMIT 1`))
      .toEqual([{ m: "2026-03-15 10:00:00", b: "2026-01-15 08:30:00" }]);
  });
});

describe("plans", () => {
  it("a time filter on timestamp reads only that range of the time-clustered table", async () => {
    const stmt = parse(`SELECT count() FROM ${DATASET} WHERE timestamp > NOW() - INTERVAL '1' DAY`);
    if (stmt.kind !== "select") throw new Error("expected a SELECT");
    const t = translateSelect(stmt, Math.floor(Date.now() / 1000));
    const plan = await env.AE_STORE.get(env.AE_STORE.idFromName(DATASET)).query(`EXPLAIN QUERY PLAN ${t.sql}`, t.params);
    expect(JSON.stringify(plan.rows)).toMatch(/SEARCH t USING PRIMARY KEY \(timestamp>\?\)/);
  });
});

describe("aggregates", () => {
  it("countIf, sumIf, min and max", async () => {
    expect(await data(`SELECT countIf(blob2 = 'ok') AS ok, sumIf(_sample_interval, blob2 = 'ok') AS okr, min(double1) AS lo, max(double1) AS hi FROM $T`))
      .toEqual([{ ok: "4", okr: "14", lo: 1, hi: 60 }]);
  });

  it("quantileExactWeighted and quantileWeighted follow ClickHouse (first value reaching q × total weight)", async () => {
    // Sorted (value, weight): (1,10) (2,1) (5,1) (10,2) (15,1) (60,4); total 19.
    expect(await data(`SELECT quantileExactWeighted(0.5)(double1, _sample_interval) AS p50,
      quantileExactWeighted(0.6)(double1, _sample_interval) AS p60, quantileWeighted(0.9, double1, _sample_interval) AS p90 FROM $T`))
      .toEqual([{ p50: 1, p60: 5, p90: 60 }]);
    // Per tenant: alpha (5,1) (10,2) (15,1) → 10; beta (2,1) (60,4) → 60; Gamma → 1.
    expect(await data(`SELECT index1 AS t, quantileExactWeighted(0.5)(double1, _sample_interval) AS p50 FROM $T WHERE double1 > 0 GROUP BY t ORDER BY t`))
      .toEqual([{ t: "Gamma", p50: 1 }, { t: "alpha", p50: 10 }, { t: "beta", p50: 60 }]);
  });
});

describe("functions", () => {
  it("toStartOfInterval and the toStartOf* family", async () => {
    expect(await data(`SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS h, sum(_sample_interval) AS r FROM $T GROUP BY h ORDER BY h`))
      .toEqual([{ h: fmt(T0), r: "4" }, { h: fmt(T0 + HOUR), r: "5" }, { h: fmt(T0 + DAY), r: "10" }]);
    expect(await data(`SELECT toStartOfMinute(timestamp) AS m, toStartOfHour(timestamp) AS h, toStartOfDay(timestamp) AS d,
      toStartOfInterval(timestamp, INTERVAL '15' MINUTE) AS q FROM $T WHERE double1 = 10`))
      .toEqual([{ m: fmt(T0 + 60_000), h: fmt(T0), d: fmt(T0), q: fmt(T0) }]);
    const month = new Date(T0);
    const first = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
    expect(await data(`SELECT toStartOfMonth(timestamp) AS m, toStartOfInterval(timestamp, INTERVAL 1 MONTH) AS i FROM $T WHERE double1 = 10`))
      .toEqual([{ m: fmt(first).slice(0, 10), i: fmt(first) }]);
  });

  it("intDiv, if, toUInt32 and toString", async () => {
    expect(await data(`SELECT intDiv(double1, 7) AS d, toUInt32(double1 / 4) AS u, toString(double1) AS s, toString(timestamp) AS ts,
      if(double1 > 10, 'slow', 'fast') AS speed FROM $T WHERE blob2 = 'exceededCpu'`))
      .toEqual([{ d: "8", u: 15, s: "60", ts: fmt(T0 + HOUR), speed: "slow" }]);
    expect(await data(`SELECT if(double1 > 10, 'slow', 'fast') AS speed, count() AS n FROM $T GROUP BY speed ORDER BY speed`))
      .toEqual([{ speed: "fast", n: "4" }, { speed: "slow", n: "2" }]);
  });

  it("SHOW TABLES lists the dataset", async () => {
    const answer = await query("SHOW TABLES");
    expect(answer.meta).toEqual([{ name: "dataset", type: "String" }]);
    expect(answer.data).toContainEqual({ dataset: DATASET });
  });
});

describe("formats", () => {
  it("JSONEachRow and TabSeparated", async () => {
    const each = await post("/sql", `SELECT index1 AS t, count() AS n FROM ${DATASET} GROUP BY t ORDER BY t FORMAT JSONEachRow`);
    expect(await bodyText(each)).toBe(`{"t":"Gamma","n":"1"}\n{"t":"alpha","n":"3"}\n{"t":"beta","n":"2"}\n`);
    const tsv = await post("/sql", `SELECT index1, count(), min(timestamp) FROM ${DATASET} GROUP BY index1 ORDER BY index1 LIMIT 1 FORMAT TabSeparated`);
    expect(await tsv.text()).toBe(`Gamma\t1\t${fmt(T0 + DAY)}\n`);
  });
});

describe("refusals", () => {
  it("answers hostile shapes with a 400, not a crash", async () => {
    for (const [sql, message] of [
      [`SELECT ${"(".repeat(5000)}1${")".repeat(5000)} FROM $T`, "nests expressions more than"],
      [`SELECT ${"1+".repeat(20000)}1 FROM $T`, "nests expressions more than 200 deep"],
      [`SELECT ${"- ".repeat(20000)}1 FROM $T`, "nests expressions more than 200 deep"],
      [`SELECT count() FROM $T LIMIT 99999999999999999999`, "LIMIT 99999999999999999999 is too large"],
      [`SELECT count() FROM $T LIMIT 1 OFFSET 100000000000000000000000`, "OFFSET 100000000000000000000000 is too large"],
    ] as const) {
      const r = await refused(sql);
      expect([r.status, r.text.includes(message)], r.text.slice(0, 200)).toEqual([400, true]);
    }
  });

  it.each([
    [`SELECT * FROM $T JOIN other ON 1 = 1`, "JOIN"],
    [`SELECT * FROM $T, other`, "JOIN"],
    [`SELECT 1 FROM $T UNION ALL SELECT 2 FROM $T`, "UNION"],
    [`SELECT count() FROM $T; SELECT 1 FROM $T`, "Multiple statements"],
    [`SELECT median(double1) FROM $T`, "Unknown function median"],
    [`SELECT blob21 FROM $T`, "Unknown column 'blob21'"],
    [`SELECT count() FROM no_such_dataset`, "Unknown table 'no_such_dataset'"],
    [`SELECT count() FROM $T WHERE index1 IN (SELECT index1 FROM $T)`, "Subqueries"],
    [`SELECT count() FROM $T WHERE sum(double1) > 1`, "not allowed in WHERE"],
    [`SELECT count( FROM $T`, "Syntax error"],
    [`SELECT count() FROM $T FORMAT CSV`, "FORMAT CSV"],
  ])("%s → 4xx naming %s", async (sql, named) => {
    const res = await refused(sql);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toContain(named);
  });

  it("keeps user strings out of the SQL text", async () => {
    expect(await data(`SELECT count() AS n FROM $T WHERE index1 = 'x''); DROP TABLE points; --'`)).toEqual([{ n: "0" }]);
    expect(await data(`SELECT count() AS n FROM $T`)).toEqual([{ n: "6" }]);
  });
});
