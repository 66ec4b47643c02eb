/**
 * SELECT without FROM (the SQL API page's own curl example) and FROM (subquery) (the
 * statements reference's), against results computed by hand over six imported points.
 * The inner SELECT is held to every rule of a top-level one.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { API, bodyText, sqlClient } from "./helpers.ts";
import { DAY, HOUR, POINTS, T0 } from "./six-points.ts";

const DATASET = `sql_from_${Math.floor(Math.random() * 1e9)}`;
const fmt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");


const { answer, query, data, load } = sqlClient(DATASET);
/** Per tenant: requests (Σ _sample_interval) alpha 4, beta 5, Gamma 10. */
const PER_TENANT = "SELECT index1 AS tenant, sum(_sample_interval) AS r FROM $T GROUP BY tenant";

beforeAll(() => load(POINTS));

describe("SELECT without FROM", () => {
  it("answers the SQL API page's curl example as the docs show it", async () => {
    // curl …/analytics_engine/sql --header "Authorization: Bearer <API_TOKEN>" --data "SELECT 'Hello Workers Analytics Engine' AS message"
    const res = await exports.default.fetch(new Request(`${API}/analytics_engine/sql`, {
      method: "POST",
      headers: { authorization: "Bearer local", "content-type": "application/x-www-form-urlencoded" },
      body: "SELECT 'Hello Workers Analytics Engine' AS message",
    }));
    expect(res.status).toBe(200);
    expect(JSON.parse(await bodyText(res))).toEqual({
      meta: [{ name: "message", type: "String" }],
      data: [{ message: "Hello Workers Analytics Engine" }],
      rows: 1,
      rows_before_limit_at_least: 1,
    });
  });

  it("reads one row, ClickHouse's system.one, whose only column is dummy", async () => {
    expect(await data("SELECT 1 + 2 AS three, dummy, toDateTime('2026-01-02 03:04:05') + INTERVAL 1 DAY AS t"))
      .toEqual([{ three: "3", dummy: 0, t: "2026-01-03 03:04:05" }]);
    expect((await query("SELECT *")).meta).toEqual([{ name: "dummy", type: "UInt8" }]);
    expect(await data("SELECT count() AS n, sum(dummy) AS s")).toEqual([{ n: "1", s: "0" }]);
    expect(await data("SELECT 1 AS x WHERE 0")).toEqual([]);
    expect(await data("SELECT 'a' AS x LIMIT 0")).toEqual([]);
    expect((await answer("SELECT 'a' AS x, 2 AS y FORMAT TabSeparated")).body).toBe("a\t2\n");
  });

  it("refuses dataset columns, since there is no dataset", async () => {
    const res = await answer("SELECT blob1");
    expect([res.status, res.body]).toEqual([400, "Unknown column 'blob1': a query without FROM has only the column dummy"]);
  });
});

describe("FROM (subquery)", () => {
  it("answers the statements reference's example, the outer query seeing the inner aliases", async () => {
    const sql = `SELECT probe_name, num_readings FROM (
        SELECT blob1 AS probe_name, count() as num_readings FROM $T GROUP BY probe_name
      ) WHERE num_readings > 1 ORDER BY probe_name`;
    const answered = await query(sql);
    expect(answered.meta).toEqual([{ name: "probe_name", type: "String" }, { name: "num_readings", type: "UInt64" }]);
    expect(answered.data).toEqual([{ probe_name: "alpha", num_readings: "3" }, { probe_name: "beta", num_readings: "2" }]);
  });

  it("aggregates and groups over the inner rows", async () => {
    expect(await data(`SELECT count() AS tenants, sum(r) AS total, max(r) AS top, avg(r) AS mean FROM (${PER_TENANT})`))
      .toEqual([{ tenants: "3", total: "19", top: "10", mean: 19 / 3 }]);
    // Distinct (tenant, outcome) pairs: alpha ok/exception, beta exceededCpu/ok, Gamma ok.
    expect(await data(`SELECT outcome, count() AS tenants FROM (SELECT index1 AS tenant, blob2 AS outcome FROM $T GROUP BY tenant, outcome)
      GROUP BY outcome HAVING tenants >= 1 ORDER BY outcome`))
      .toEqual([{ outcome: "exceededCpu", tenants: "1" }, { outcome: "exception", tenants: "1" }, { outcome: "ok", tenants: "3" }]);
    expect(await data(`SELECT outcome, argMax(tenant, n) AS top FROM (SELECT index1 AS tenant, blob2 AS outcome, count() AS n FROM $T GROUP BY tenant, outcome)
      GROUP BY outcome ORDER BY outcome`))
      .toEqual([{ outcome: "exceededCpu", top: "beta" }, { outcome: "exception", top: "alpha" }, { outcome: "ok", top: "alpha" }]);
    // r = 4, 5, 10 with weight 1: half the weight (1.5) is reached at 5.
    expect(await data(`SELECT argMax(tenant, r) AS top, topK(2)(tenant) AS k, quantileExactWeighted(0.5)(r, 1) AS med FROM (${PER_TENANT})`))
      .toEqual([{ top: "Gamma", k: ["Gamma", "alpha"], med: 5 }]);
  });

  it("keeps the inner ORDER BY and LIMIT: rows come out, and first_value reads them, in that order", async () => {
    const top2 = `${PER_TENANT} ORDER BY r DESC LIMIT 2`;
    expect(await data(`SELECT tenant, r FROM (${top2})`)).toEqual([{ tenant: "Gamma", r: "10" }, { tenant: "beta", r: "5" }]);
    expect(await data(`SELECT first_value(tenant) AS a, last_value(tenant) AS b FROM (${top2})`)).toEqual([{ a: "Gamma", b: "beta" }]);
    const page = await query(`SELECT tenant FROM (${PER_TENANT}) ORDER BY tenant LIMIT 1 OFFSET 1`);
    expect([page.data, page.rows_before_limit_at_least]).toEqual([[{ tenant: "alpha" }], 3]);
  });

  it("passes the inner types on: DateTime, arrays and SELECT *", async () => {
    expect(await data(`SELECT toStartOfHour(ts) AS h, count() AS n FROM (SELECT timestamp AS ts FROM $T) GROUP BY h ORDER BY h`))
      .toEqual([{ h: fmt(T0), n: "3" }, { h: fmt(T0 + HOUR), n: "2" }, { h: fmt(T0 + DAY), n: "1" }]);
    // A computed timestamp is compared as a DateTime, not through the stored milliseconds.
    expect(await data(`SELECT count() AS n FROM (SELECT timestamp, blob2 FROM $T) WHERE timestamp >= '${fmt(T0 + HOUR)}' AND blob2 = 'ok'`))
      .toEqual([{ n: "2" }]);
    const all = await query(`SELECT * FROM (SELECT * FROM $T WHERE blob2 = 'ok') ORDER BY timestamp LIMIT 1`);
    expect(all.meta.length).toBe(44);
    expect(all.data[0]).toMatchObject({ dataset: DATASET, timestamp: fmt(T0 + 10_000), index1: "alpha", blob2: "ok", double1: 5, double20: 0 });
    expect((await query(`SELECT k FROM (SELECT topK(2)(blob3) AS k FROM $T)`)).meta).toEqual([{ name: "k", type: "Array(String)" }]);
  });

  it("takes an alias, and columns qualified by it or by the dataset's name", async () => {
    expect(await data(`SELECT s.tenant AS tenant, s.cpu AS cpu FROM (SELECT index1 AS tenant, sum(double1 * _sample_interval) AS cpu FROM $T GROUP BY tenant) AS s
      WHERE s.cpu > 20 ORDER BY s.cpu DESC`))
      .toEqual([{ tenant: "beta", cpu: 242 }, { tenant: "alpha", cpu: 40 }]);
    expect(await data(`SELECT count() AS n FROM (${PER_TENANT}) sub WHERE sub.r > 4`)).toEqual([{ n: "2" }]);
    expect(await data(`SELECT count() AS n FROM $T AS d WHERE d.blob2 = 'ok' AND $T.blob3 = 'GET'`)).toEqual([{ n: "3" }]);
    // A qualified name is the column even where an alias of that name exists.
    expect(await data(`SELECT d.double1 * 2 AS double1 FROM $T AS d WHERE d.double1 = 60`)).toEqual([{ double1: 120 }]);
    const res = await answer(`SELECT x.blob1 FROM $T AS d`);
    expect([res.status, res.body]).toEqual([400, `Unknown table 'x' in x.blob1: the query reads 'd' or '${DATASET}'`]);
  });

  it("nests up to 8 deep", async () => {
    const nest = (n: number): string => `SELECT x + 1 AS x FROM ${"(SELECT x + 1 AS x FROM ".repeat(n - 1)}(SELECT 0 AS x)${")".repeat(n - 1)}`;
    expect(await data(nest(8))).toEqual([{ x: "8" }]);
    expect(await data(`SELECT max(n) AS top FROM (SELECT outcome, count() AS n FROM (SELECT index1 AS tenant, blob2 AS outcome FROM $T GROUP BY tenant, outcome) GROUP BY outcome)`))
      .toEqual([{ top: "3" }]);
    const res = await answer(nest(9));
    expect([res.status, res.body]).toEqual([400, "Subqueries nest more than 8 deep (the local AE's maximum subquery depth)"]);
  });
});

describe("FROM (subquery) is held to the rules of a top-level SELECT", () => {
  it.each([
    [`SELECT blob1 FROM (${PER_TENANT})`, 400, "Unknown column 'blob1': the subquery's columns are tenant, r"],
    [`SELECT r FROM (SELECT blob21 AS r FROM $T)`, 400, "Unknown column 'blob21'"],
    [`SELECT r FROM (SELECT median(double1) AS r FROM $T)`, 400, "Unknown function median"],
    [`SELECT r FROM (SELECT count() AS r FROM no_such_dataset)`, 422, "Unknown table 'no_such_dataset'"],
    [`SELECT n FROM (SELECT blob1, count() AS n FROM $T)`, 400, "Column `blob1` is not under aggregate function and not in GROUP BY"],
    [`SELECT n FROM (SELECT count() AS n FROM $T WHERE sum(double1) > 1)`, 400, "not allowed in WHERE"],
    [`SELECT n FROM (SELECT count() AS n FROM $T FORMAT JSON)`, 400, "FORMAT is only allowed at the end of the outer query"],
    [`SELECT n FROM (SELECT count() AS n FROM $T; DROP TABLE points)`, 400, "Syntax error: expected ')'"],
    [`SELECT n FROM (SELECT count() AS n FROM $T) JOIN $T ON 1 = 1`, 400, "JOIN is not supported"],
    [`SELECT n FROM (SELECT count() AS n FROM $T), $T`, 400, "JOIN is not supported"],
    [`SELECT n FROM (SHOW TABLES)`, 400, "expected SELECT in a FROM subquery"],
    [`SELECT a FROM (SELECT blob1 AS a, blob2 AS a FROM $T)`, 400, "The subquery has two columns named 'a'"],
    [`SELECT count() FROM $T WHERE index1 IN (SELECT index1 FROM $T)`, 400, "Subqueries are not supported in IN"],
    [`SELECT (SELECT 1) AS x`, 400, "Subqueries are not supported in expressions"],
  ])("%s → %i naming %s", async (sql, status, named) => {
    const res = await answer(sql);
    expect(res.status).toBe(status);
    expect(res.body).toContain(named);
  });

  it("keeps user strings inside the subquery out of the SQL text", async () => {
    expect(await data(`SELECT n FROM (SELECT count() AS n FROM $T WHERE index1 = 'x''); DROP TABLE points; --')`)).toEqual([{ n: "0" }]);
    expect(await data(`SELECT count() AS n FROM $T`)).toEqual([{ n: "6" }]);
  });
});
