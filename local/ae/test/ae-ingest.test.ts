/** The local AE's writes: the binding's AE limits, the bulk import's validation, retention. */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { migrateRowidTable } from "../src/store.ts";
import { describe, expect, it } from "vitest";
import type { DataPointInput } from "../src/point.ts";
import { API, TOKEN, bodyText } from "./helpers.ts";

interface Dataset {
  writeDataPoint(point?: DataPointInput): Promise<void>;
}

function binding(dataset: string): Dataset {
  const factory = exports.LocalAnalyticsEngine as unknown as (opts: { props: { dataset: string } }) => Dataset;
  return factory({ props: { dataset } });
}

async function post(path: string, body: string): Promise<Response> {
  return exports.default.fetch(new Request(`${API}/analytics_engine${path}`, { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}` } }));
}

async function stored(dataset: string): Promise<number> {
  return env.AE_STORE.get(env.AE_STORE.idFromName(dataset)).count();
}

const unique = (prefix: string): string => `${prefix}_${Math.floor(Math.random() * 1e9)}`;

describe("writeDataPoint", () => {
  it("stores a point with the time of the write and _sample_interval 1", async () => {
    const dataset = unique("bind");
    const before = Math.floor(Date.now() / 1000);
    await binding(dataset).writeDataPoint({ indexes: ["tenant-a"], blobs: ["tenant-a", null, "ok"], doubles: [1.5, 2] });
    const res = await post("/sql", `SELECT index1, blob1, blob2, blob3, double1, double2, double3, _sample_interval, toUInt32(timestamp) AS ts FROM ${dataset} FORMAT JSONEachRow`);
    const row = JSON.parse(await bodyText(res)) as Record<string, unknown>;
    expect(row).toMatchObject({ index1: "tenant-a", blob1: "tenant-a", blob2: "", blob3: "ok", double1: 1.5, double2: 2, double3: 0, _sample_interval: 1 });
    expect(Number(row.ts)).toBeGreaterThanOrEqual(before);
  });

  it.each([
    [{ blobs: Array.from({ length: 21 }, () => "x") }, "Maximum of 20 blobs"],
    [{ doubles: Array.from({ length: 21 }, () => 1) }, "Maximum of 20 doubles"],
    [{ indexes: ["a", "b"] }, "Maximum of 1 index"],
    [{ indexes: ["x".repeat(97)] }, "maximum index size is 96 bytes"],
    [{ blobs: ["x".repeat(10_000), "y".repeat(6_385)] }, "maximum total blob size is 16384 bytes"],
  ])("refuses %# naming the limit", async (point, message) => {
    const dataset = unique("limits");
    // Settled with then(), not expect().rejects: with the latter, vitest saw the RPC promise's
    // rejection as unhandled (observed with @cloudflare/vitest-plugin 1.5).
    const outcome = await binding(dataset).writeDataPoint(point).then(() => "stored", (e: unknown) => String(e));
    expect(outcome).toContain(message);
    expect(await stored(dataset)).toBe(0);
  });

  it("accepts 250 writes from one caller invocation, sent at once as the tail sends them", async () => {
    const dataset = unique("batch");
    const writer = binding(dataset);
    const points = Array.from({ length: 250 }, (_, i) => ({ indexes: [`tenant-${i % 20}`], blobs: [`tenant-${i % 20}`], doubles: [1, i] }));
    const outcomes = await Promise.all(points.map((p) => writer.writeDataPoint(p).then(() => "stored", (e: unknown) => String(e))));
    expect(outcomes.filter((o) => o !== "stored")).toEqual([]);
    expect(await stored(dataset)).toBe(250);
    const res = await post("/sql", `SELECT SUM(double1) AS n, SUM(double2) AS s FROM ${dataset} FORMAT JSON`);
    expect((JSON.parse(await bodyText(res)) as { data: { n: number; s: number }[] }).data[0]).toEqual({ n: 250, s: (249 * 250) / 2 });
  });

  it("accepts points exactly at the limits", async () => {
    const dataset = unique("edge");
    await binding(dataset).writeDataPoint({ indexes: ["é".repeat(48)], blobs: ["x".repeat(16_384)], doubles: Array.from({ length: 20 }, (_, i) => i) });
    expect(await stored(dataset)).toBe(1);
  });
});

describe("bulk import", () => {
  const line = (o: Record<string, unknown>): string => JSON.stringify({ timestamp: new Date().toISOString(), index1: "t", blobs: ["a"], doubles: [1], ...o });

  it("answers with the count of imported points", async () => {
    const dataset = unique("imp");
    const res = await post(`/_import?dataset=${dataset}`, [line({ _sample_interval: 5 }), "", line({})].join("\n"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, result: { dataset, imported: 2 } });
    const sql = await post("/sql", `SELECT sum(_sample_interval) AS n FROM ${dataset}`);
    expect(await sql.json()).toMatchObject({ data: [{ n: "6" }] });
  });

  it.each([
    ["{not json", "line 2: not valid JSON"],
    [line({ _sample_interval: 0 }), "line 2: _sample_interval"],
    [line({ timestamp: "yesterday" }), "line 2: timestamp"],
    [line({ blobs: Array.from({ length: 21 }, () => "x") }), "line 2: writeDataPoint(): Maximum of 20 blobs"],
    [line({ doubles: ["1"] }), "line 2: doubles"],
  ])("refuses a bad line (%s) and stores nothing", async (bad, message) => {
    const dataset = unique("bad");
    const res = await post(`/_import?dataset=${dataset}`, [line({}), bad, line({})].join("\n"));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toContain(message);
    expect(await stored(dataset)).toBe(0);
  });

  it("refuses a bad dataset name", async () => {
    expect((await post("/_import?dataset=__catalog", line({}))).status).toBe(400);
    expect((await post("/_import", line({}))).status).toBe(400);
  });

  it("drops points older than the 3-month retention", async () => {
    const dataset = unique("old");
    const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
    await post(`/_import?dataset=${dataset}`, [line({ timestamp: old }), line({})].join("\n"));
    expect(await stored(dataset)).toBe(1);
  });
});

describe("storage layout", () => {
  it("moves state from the earlier rowid table into the time-clustered one, keeping every point", async () => {
    const dataset = unique("migrate");
    const stub = env.AE_STORE.get(env.AE_STORE.idFromName(dataset));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE points");
      sql.exec("CREATE TABLE points (timestamp INTEGER NOT NULL, _sample_interval INTEGER NOT NULL, index1 TEXT NOT NULL, blob1 TEXT, double1 REAL)");
      sql.exec("CREATE INDEX points_by_time ON points (timestamp)");
      for (const [ts, tenant] of [[3000, "c"], [1000, "a"], [2000, "b"]] as const) {
        sql.exec("INSERT INTO points (timestamp, _sample_interval, index1, blob1, double1) VALUES (?, 2, ?, ?, 1.5)", ts, tenant, tenant);
      }
      // The earlier table had only these columns' worth of data; the rest read as NULL.
      sql.exec("ALTER TABLE points ADD COLUMN blob2 TEXT");
      for (let i = 3; i <= 20; i++) sql.exec(`ALTER TABLE points ADD COLUMN blob${i} TEXT`);
      for (let i = 2; i <= 20; i++) sql.exec(`ALTER TABLE points ADD COLUMN double${i} REAL`);
      migrateRowidTable(sql);
      const rows = sql.exec<{ timestamp: number; seq: number; index1: string; _sample_interval: number; double1: number }>(
        "SELECT timestamp, seq, index1, _sample_interval, double1 FROM points ORDER BY timestamp").toArray();
      expect(rows).toEqual([
        { timestamp: 1000, seq: 2, index1: "a", _sample_interval: 2, double1: 1.5 },
        { timestamp: 2000, seq: 3, index1: "b", _sample_interval: 2, double1: 1.5 },
        { timestamp: 3000, seq: 1, index1: "c", _sample_interval: 2, double1: 1.5 },
      ]);
      const kept = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'points'").one().sql;
      expect(kept).toMatch(/WITHOUT ROWID/);
      expect(sql.exec<{ value: number }>("SELECT value FROM store_meta WHERE key = 'seq'").one().value).toBe(3);
    });
  });
});
