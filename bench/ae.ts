/**
 * The local Analytics Engine: (1) writes per second through the binding, as the
 * Tail Worker makes them; (2) bulk import speed; (3) a per-tenant GROUP BY with
 * sampling correction over 1 M stored points, checked against the totals the
 * generator knows.
 */
import { resolve } from "node:path";
import { DATASET, col, emptyRow, sampledCount, sampledSum, toDataPoint } from "@tenantscope/core/schema";
import { analyticsBinding } from "../local/dev/options.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { ms, summarize } from "./stats.ts";

const WRITER = "ae-writer";
const WRITE_DATASET = "bench_writes";
const IMPORT_CHUNK = 20_000;
const TENANTS = 1000;
const INTERVALS = [1, 1, 1, 2, 10];
const QUERY_RUNS = 7;

export interface AeOptions {
  points: number;
  writes: number;
}

/** POST to the local Analytics Engine API (`sql`, `_import?dataset=…`); non-200 throws. */
export async function post(stack: Stack, path: string, body: string): Promise<string> {
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/${path}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${stack.apiToken}` },
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

async function writes(stack: Stack, n: number): Promise<void> {
  const base = stack.urls.extra[WRITER];
  if (base === undefined) throw new Error("the writer Worker did not start");
  await fetch(`${base}/?n=200&concurrency=25`); // warm-up
  for (const concurrency of [1, 25]) {
    const answer = (await (await fetch(`${base}/?n=${n}&concurrency=${concurrency}`)).json()) as { ms: number };
    const perSecond = n / (answer.ms / 1000);
    console.log(`AE writes, ${concurrency === 1 ? "one at a time" : `${concurrency} concurrent (one tail invocation)`}: ${Math.round(perSecond)} writes/s (${(answer.ms / n).toFixed(3)} ms per write, ${n} writes)`);
  }
  const stored = JSON.parse(await post(stack, "sql", `SELECT count() AS n FROM ${WRITE_DATASET}`)) as { data: { n: string | number }[] };
  console.log(`  stored points in ${WRITE_DATASET}: ${Number(stored.data[0]?.n)} (expected ${2 * n + 200})`);
}

/** Imports `points` points; returns the corrected invocation total per tenant. */
async function fill(stack: Stack, points: number): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  const now = Date.now();
  const started = performance.now();
  for (let start = 0; start < points; start += IMPORT_CHUNK) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(points, start + IMPORT_CHUNK); i++) {
      const row = emptyRow();
      row.tenant = `tenant-${String(i % TENANTS).padStart(4, "0")}`;
      row.namespace = "tenantscope-tenants";
      row.plan = "pro";
      row.outcome = i % 10 === 0 ? "exception" : "ok";
      row.invocations = 1;
      row.cpuMs = 1 + (i % 40);
      const interval = INTERVALS[i % INTERVALS.length] ?? 1;
      expected.set(row.tenant, (expected.get(row.tenant) ?? 0) + interval);
      const point = toDataPoint(row);
      const timestamp = new Date(now - (i % (6 * 86_400)) * 1000).toISOString();
      lines.push(JSON.stringify({ timestamp, _sample_interval: interval, index1: point.indexes[0], blobs: point.blobs, doubles: point.doubles }));
    }
    await post(stack, `_import?dataset=${DATASET}`, lines.join("\n"));
    const done = Math.min(points, start + IMPORT_CHUNK);
    if (done % 200_000 === 0 || done === points) process.stderr.write(`  imported ${done}/${points}\r`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write("\n");
  console.log(`AE bulk import: ${points} points in ${seconds.toFixed(1)} s (${Math.round(points / seconds)} points/s, chunks of ${IMPORT_CHUNK})`);
  return expected;
}

async function groupBy(stack: Stack, expected: Map<string, number>, points: number): Promise<void> {
  const sql = `SELECT ${col("tenant")} AS tenant, ${sampledCount()} AS invocations, ${sampledSum("cpuMs")} AS cpu_ms
    FROM ${DATASET} WHERE timestamp > NOW() - INTERVAL '7' DAY
    GROUP BY tenant ORDER BY invocations DESC LIMIT ${TENANTS}`;
  const times: number[] = [];
  let rows: { tenant: string; invocations: number }[] = [];
  for (let run = 0; run < QUERY_RUNS; run++) {
    const started = performance.now();
    rows = (JSON.parse(await post(stack, "sql", sql)) as { data: { tenant: string; invocations: number }[] }).data;
    times.push(performance.now() - started);
  }
  const wrong = rows.filter((r) => Number(r.invocations) !== expected.get(r.tenant)).length;
  const s = summarize(times);
  console.log(
    `AE GROUP BY tenant (sampling-corrected count and CPU) over ${points} points, ${TENANTS} tenants: ` +
      `p50=${ms(s.p50)} ms min=${ms(Math.min(...times))} ms over ${QUERY_RUNS} runs, via the SQL API; ` +
      `${rows.length} rows, ${wrong} differ from the generator's totals`,
  );
}

export async function runAe(opts: AeOptions): Promise<void> {
  const stack = await startStack({
    port: 0,
    apiPort: 0,
    persistTo: false,
    seed: false,
    log: () => {},
    extraWorkers: [{ name: WRITER, scriptPath: resolve(import.meta.dirname, "ae-writer.js"), serviceBindings: { AE: analyticsBinding(WRITE_DATASET) } }],
  });
  try {
    console.log("AE setup: one Miniflare instance (startStack, in memory); writes from a Worker bound to LocalAnalyticsEngine; SQL and import over HTTP");
    await writes(stack, opts.writes);
    const expected = await fill(stack, opts.points);
    await groupBy(stack, expected, opts.points);
  } finally {
    await stack.dispose();
  }
}
