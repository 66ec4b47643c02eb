/**
 * No query is a 500: pathological ones are answered, or refused with a 400 that names
 * the limit (limits.ts). The nesting that used to overflow SQLite's statement limit
 * (functions spelled out with their argument repeated, see hoist.ts) is answered, with
 * results computed by hand.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "../src/sql/parser.ts";
import { translateSelect } from "../src/sql/select.ts";
import { type ImportedPoint, sqlClient } from "./helpers.ts";

const DATASET = `sql_limits_${Math.floor(Math.random() * 1e9)}`;
const T0 = Date.now() - 3_600_000;
const LONG_PATH = "/client/v4/accounts/local/workers/dispatch/namespaces/tenants/scripts/alpha";
// double1 in time order: 5, 15, 10, 60, 2, 1; blob4 is a path longer than SQLite's 50-byte LIKE limit.
const POINTS: ImportedPoint[] = [5, 15, 10, 60, 2, 1].map((d, i) => ({
  at: T0 + i * 1000, si: 1, tenant: i < 3 ? "alpha" : "beta", blobs: ["b", "o", "m", i % 2 === 0 ? LONG_PATH : `${LONG_PATH}/Settings`], doubles: [d],
}));

const { answer, data, load } = sqlClient(DATASET);
const col = async (sql: string, name = "r"): Promise<unknown[]> => (await data(sql)).map((row) => row[name]);

beforeAll(() => load(POINTS));

describe("functions that repeat their argument, nested", () => {
  it("answers round(bitHammingDistance(…)/7, 2) three levels deep (this was SQLITE_TOOBIG, a 500)", async () => {
    // popcount(x ^ 3) → h1, popcount(h1 ^ 5) → h2, popcount(h2 ^ 6) → h3: for x = 5: 6→2, 7→3, 5→2;
    // 15: 12→2, then 3, 2; 10: 9→2, 3, 2; 60: 63→6, 3→2, 4→1; 2: 1→1, 4→1, 7→3; 1: 2→1, 1, 3.
    const sql = `SELECT round(bitHammingDistance(bitHammingDistance(bitHammingDistance(toUInt64(double1), 3), 5), 6) / 7, 2) AS r FROM $T ORDER BY timestamp`;
    expect(await col(sql)).toEqual([0.29, 0.29, 0.29, 0.14, 0.43, 0.43]);
  });

  it("answers eight nested round() calls", async () => {
    // 5/7 = 0.714285… → 0.714286 → ×3 2.142858 → 2.14286 → ×3 6.42858 → 6.4286 → ×3 19.2858 → 19.286 → 19.29 → 19.29 → 19.29 → 19.3.
    const sql = `SELECT round(round(round(round(round(round(round(round(double1 / 7, 6) * 3, 5) * 3, 4) * 3, 3), 2), 2), 2), 1) AS r FROM $T ORDER BY timestamp`;
    expect(await col(sql)).toEqual([19.3, 57.9, 38.6, 231.4, 7.7, 3.9]);
  });

  it("keeps the SQL linear in the nesting: twelve levels of bitCount (64 uses of the argument each) are some 20 KB", () => {
    const stmt = parse(`SELECT ${"bitCount(".repeat(12)}toUInt64(double1)${")".repeat(12)} AS r FROM ${DATASET}`);
    if (stmt.kind !== "select") throw new Error("expected a SELECT");
    expect(translateSelect(stmt, 0).sql.length).toBeLessThan(30_000);
  });

  it("answers six levels of bitCount and hex of a computed value", async () => {
    // bitCount(5) = 2, bitCount(2) = 1, then 1 for ever; 60 = 0b111100 → 4 → 1 → 1…
    expect(await col(`SELECT ${"bitCount(".repeat(6)}toUInt64(double1)${")".repeat(6)} AS r FROM $T ORDER BY timestamp`)).toEqual(Array(6).fill("1"));
    // 60000 has 7 bits set, none of them bit 0: 8 bits differ from 1.
    expect(await col(`SELECT hex(bitHammingDistance(toUInt64(double1) * 1000, 1)) AS r FROM $T WHERE double1 = 60`)).toEqual(["08"]);
  });
});

describe("long and many", () => {
  it("balances long AND/OR chains and binds past SQLite's 100 parameters", async () => {
    const ors = Array.from({ length: 300 }, (_, i) => `index1 = 'x${i}'`).join(" OR ");
    expect(await col(`SELECT count() AS r FROM $T WHERE ${ors} OR index1 = 'beta'`)).toEqual(["3"]);
    // 'alpha' is bound as a parameter, 'beta' (the 302nd string) as a hex literal; so is the quote.
    const list = Array.from({ length: 300 }, (_, i) => `'x${i}'`).join(", ");
    expect(await col(`SELECT count() AS r FROM $T WHERE index1 IN ('alpha', ${list}, 'beta', 'x''); DROP TABLE points; --')`)).toEqual(["6"]);
    expect(await col(`SELECT count() AS r FROM $T`)).toEqual(["6"]);
    expect(await col(`SELECT concat(${Array.from({ length: 200 }, (_, i) => `'${i % 10}'`).join(", ")}) AS r`)).toEqual(["0123456789".repeat(20)]);
  });

  it("matches LIKE patterns longer than SQLite's 50 bytes", async () => {
    const count = async (where: string): Promise<unknown[]> => col(`SELECT count() AS r FROM $T WHERE ${where}`);
    expect(await count(`blob4 LIKE '${LONG_PATH}'`)).toEqual(["3"]);
    expect(await count(`blob4 LIKE '${LONG_PATH}%'`)).toEqual(["6"]);
    expect(await count(`blob4 LIKE '%${LONG_PATH.slice(1)}/Settings'`)).toEqual(["3"]);
    expect(await count(`blob4 LIKE '%${LONG_PATH.slice(5)}/settings'`)).toEqual(["0"]);
    expect(await count(`blob4 ILIKE '%${LONG_PATH.slice(5).toUpperCase()}/settings'`)).toEqual(["3"]);
    expect(await count(`blob4 LIKE '/client%/${LONG_PATH.slice(20)}%'`)).toEqual(["6"]);
    expect(await count(`blob4 LIKE '${LONG_PATH.slice(0, 40)}%${LONG_PATH.slice(40)}'`)).toEqual(["3"]);
    // The two ends would overlap in every value: nothing matches.
    expect(await count(`blob4 NOT LIKE '${LONG_PATH.slice(0, 40)}%${LONG_PATH.slice(30)}'`)).toEqual(["6"]);
    const res = await answer(`SELECT count() FROM $T WHERE blob4 LIKE '${LONG_PATH.replace("local", "l_cal")}'`);
    expect([res.status, res.body]).toEqual([400, expect.stringContaining("over SQLite's 50-byte LIKE pattern limit")]);
  });
});

/** [query, undefined when it must answer | the text its 400 must contain]. */
const CORPUS: [string, string | undefined][] = [
  [`SELECT ${"(".repeat(150)}1${")".repeat(150)} AS r`, undefined],
  [`SELECT ${"(".repeat(5000)}1${")".repeat(5000)} FROM $T`, "nests expressions more than 200 deep (the local AE's maximum expression depth)"],
  [`SELECT ${"- ".repeat(20000)}1`, "nests expressions more than 200 deep"],
  [`SELECT ${"NOT ".repeat(20000)}1`, "nests expressions more than 200 deep"],
  [`SELECT ${"lower(".repeat(300)}blob1${")".repeat(300)} FROM $T`, "nests expressions more than 200 deep"],
  [`SELECT 1${" + 1".repeat(90)} AS r`, undefined],
  [`SELECT 1${" + 1".repeat(150)} AS r`, "nests expressions more than 100 deep (SQLite's maximum expression depth in Durable Objects)"],
  [`SELECT 1${" + 1".repeat(20000)} FROM $T`, "nests expressions more than 200 deep"],
  [`SELECT count() FROM $T WHERE double1 IN (${Array(40_000).fill("9").join(",")})`, "over the local AE's 100000-byte statement limit (SQLite in Durable Objects)"],
  [`SELECT count() FROM $T WHERE ${Array(2_000).fill("double1 = 1").join(" OR ")}`, undefined],
  [`SELECT count() FROM $T WHERE ${Array(20_000).fill("1").join(" OR ")}`, "over the local AE's 100000-byte statement limit"],
  [`SELECT count() FROM $T WHERE blob1 IN (${Array.from({ length: 29_000 }, (_, i) => `'x${i}'`).join(",")})`, "over the local AE's 100000-byte statement limit"],
  [`SELECT length('${"x".repeat(200_000)}') AS r`, undefined],
  [`SELECT count() FROM $T WHERE blob1 = '${"é".repeat(100_000)}'`, undefined],
  [`SELECT '${"x".repeat(300_000)}' AS r`, "Max query size exceeded: the query is 300014 bytes, at most 262144 (ClickHouse's max_query_size)"],
  [`SELECT '${"x".repeat(120_000)}' AS r FROM $T`, undefined],
  [`SELECT count() FROM $T LIMIT ${Number.MAX_SAFE_INTEGER} OFFSET ${Number.MAX_SAFE_INTEGER}`, undefined],
  [`SELECT count() FROM $T LIMIT 99999999999999999999`, "LIMIT 99999999999999999999 is too large (at most 9007199254740991)"],
  [`SELECT ${Array.from({ length: 98 }, (_, i) => `double1 + ${i}`).join(", ")} FROM $T`, undefined],
  [`SELECT ${Array.from({ length: 99 }, (_, i) => `double1 + ${i}`).join(", ")} FROM $T`, "the local AE returns at most 98 (SQLite's limit of 100 result columns"],
  [`SELECT *, *, * FROM $T`, "The query returns 132 columns"],
  [`SELECT count() FROM $T GROUP BY ${Array(120).fill("blob1").join(", ")}`, "GROUP BY has too many terms: SQLite in Durable Objects takes at most 100"],
  [`SELECT 1 AS a0, ${Array.from({ length: 30 }, (_, i) => `a${i} + a${i} AS a${i + 1}`).join(", ")}`, "more than 500000 AST elements (ClickHouse's max_expanded_ast_elements)"],
  [`SELECT round(round(round(round(round(round(avg(double1), 6), 5), 4), 3), 2), 1) FROM $T`, "over the local AE's 100000-byte statement limit"],
  [`SELECT ${"bitCount(".repeat(4)}count()${")".repeat(4)} FROM $T`, "over the local AE's 100000-byte statement limit"],
  [`SELECT ${"bitCount(".repeat(12)}toUInt64(double1)${")".repeat(12)} FROM $T`, "nests expressions more than 100 deep (SQLite's maximum expression depth"],
  [`SELECT x FROM ${"(SELECT x FROM ".repeat(20)}(SELECT 1 AS x)${")".repeat(20)}`, "Subqueries nest more than 8 deep"],
  [`SELECT '${"x".repeat(250_000)}' AS r FROM (SELECT * FROM $T), $T`, "JOIN is not supported"],
  [`SELECT * FROM $T WHERE ${"(".repeat(199)}1${")".repeat(199)} = 1`, undefined],
];

describe("a corpus of pathological queries: each answers or is refused by name, never a 500", () => {
  it.each(CORPUS.map(([sql, refusal]) => [sql.length > 80 ? `${sql.slice(0, 77)}…` : sql, sql, refusal] as const))("%s", async (_, sql, refusal) => {
    const res = await answer(sql);
    const named = refusal === undefined || res.body.includes(refusal);
    expect({ status: res.status, named }, res.body.slice(0, 300)).toEqual({ status: refusal === undefined ? 200 : 400, named: true });
  });

  it("refuses an answer too large for one RPC from the store by name", async () => {
    // 6 rows × 2 columns of 240 000 characters: over 16 MiB as the store counts (two bytes a character).
    const big = "x".repeat(120_000);
    const res = await answer(`SELECT concat('${big}', blob1, '${big}') AS a, concat(a, a, a, a, a, a, a, a, a, a) AS b FROM $T`);
    expect([res.status, res.body]).toEqual([400, "The result is larger than 16 MiB, the local AE's limit: add a LIMIT or select fewer columns"]);
  });
});
