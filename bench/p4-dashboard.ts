/**
 * P4: the dashboard's pages (overview, its JSON API, a tenant page, plans, billing)
 * over 10 M stored points across 1,000 tenants in the local Analytics Engine, at the
 * windows 15m, 24h and 30d, with the SQL round trips of each page (from the
 * dashboard's Server-Timing header). The points go straight into
 * the dataset's Durable Object with one generating INSERT per chunk (ae-seeder.js),
 * in the layout of @tenantscope/core/schema, spread over 30 days with a mix of
 * outcomes, violations and sample intervals. Times are measured at the client over
 * 127.0.0.1 (the dashboard runs its SQL round trips while we wait), signed in with
 * the operator's bearer token.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DATASET, col, emptyRow, toDataPoint } from "@tenantscope/core/schema";
import { AE_WORKER } from "../local/dev/options.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { post } from "./ae.ts";
import { ms, summarize } from "./stats.ts";

const SEEDER = "ae-seeder";
const CHUNK = 500_000;
const SPAN_SECONDS = 30 * 86_400;
const RUNS = 5;

export interface P4Options {
  points: number;
  tenants: number;
}

/** One generating INSERT: rows lo..hi, all values derived from the row number. */
function generatingSql(): string {
  // printf's %d: a bound number may arrive as a REAL, and '0000' || 1.0 gave names like
  // 'tenant-01.0', which are no tenant names (no tenant page could open them).
  const tenant = "'tenant-' || printf('%04d', i % ?3)";
  const kind = "(i % 20)";
  const plan = "((i % ?3) % 3)";
  const cells: [string, string][] = [
    ["timestamp", "?4 - ((i * 7919) % ?5) * 1000"],
    ["seq", "1000000000 + i"],
    ["_sample_interval", "CASE i % 5 WHEN 3 THEN 2 WHEN 4 THEN 10 ELSE 1 END"],
    ["index1", tenant],
    [col("tenant"), tenant],
    [col("namespace"), "'tenantscope-tenants'"],
    [col("plan"), `CASE ${plan} WHEN 0 THEN 'free' WHEN 1 THEN 'pro' ELSE 'enterprise' END`],
    [col("outcome"), `CASE ${kind} WHEN 0 THEN 'exception' WHEN 1 THEN 'exceededCpu' WHEN 2 THEN 'exception' ELSE 'ok' END`],
    [col("eventType"), "'fetch'"],
    [col("method"), "CASE i % 7 WHEN 0 THEN 'POST' ELSE 'GET' END"],
    [col("violation"), `CASE ${kind} WHEN 1 THEN 'cpu' WHEN 2 THEN 'subrequests' ELSE 'none' END`],
    [col("exceptionName"), `CASE WHEN ${kind} IN (0, 2) THEN 'Error' ELSE '' END`],
    [col("exceptionMessage"), `CASE ${kind} WHEN 0 THEN 'boom ' || (i % 97) WHEN 2 THEN 'Too many subrequests by single Worker invocation.' ELSE '' END`],
    [col("scriptVersion"), "'v1'"],
    [col("entrypoint"), "'default'"],
    [col("planSource"), "'header'"],
    [col("pointKind"), "'single'"],
    [col("invocations"), "1.0"],
    [col("cpuMs"), "(i * 13 % 45) + 0.5"],
    [col("wallMs"), "(i * 13 % 45) * 2 + 1.0"],
    [col("status"), `CASE ${kind} WHEN 1 THEN 0 WHEN 0 THEN 500 WHEN 2 THEN 500 ELSE 200 END`],
    [col("cpuLimitMs"), `CASE ${plan} WHEN 0 THEN 10 WHEN 1 THEN 50 ELSE 500 END`],
    [col("subrequestLimit"), `CASE ${plan} WHEN 0 THEN 10 WHEN 1 THEN 100 ELSE 1000 END`],
    [col("logCount"), "i % 4"],
    [col("exceptionCount"), `CASE WHEN ${kind} IN (0, 2) THEN 1 ELSE 0 END`],
    [col("truncated"), "0"],
  ];
  return `WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
    INSERT INTO points (${cells.map(([c]) => c).join(", ")}) SELECT ${cells.map(([, v]) => v).join(", ")} FROM n`;
}

async function seed(stack: Stack, opts: P4Options): Promise<void> {
  // One ordinary import first, so the dataset exists in the catalog (SHOW TABLES).
  const row = emptyRow();
  row.tenant = "tenant-0000";
  row.invocations = 1;
  const point = toDataPoint(row);
  await post(stack, `_import?dataset=${DATASET}`,
    JSON.stringify({ timestamp: new Date().toISOString(), index1: point.indexes[0], blobs: point.blobs, doubles: point.doubles }));
  const seeder = stack.urls.extra[SEEDER];
  if (seeder === undefined) throw new Error("the seeder Worker did not start");
  const sql = generatingSql();
  const started = performance.now();
  const now = Date.now();
  for (let lo = 0; lo < opts.points; lo += CHUNK) {
    const hi = Math.min(opts.points, lo + CHUNK) - 1;
    const answer = await fetch(seeder, { method: "POST", body: JSON.stringify({ dataset: DATASET, sql, params: [lo, hi, opts.tenants, now, SPAN_SECONDS] }) });
    if (answer.status !== 200) throw new Error(`seeding answered ${answer.status}: ${await answer.text()}`);
    await answer.text();
    process.stderr.write(`  P4 seeding: ${hi + 1}/${opts.points} points (${((performance.now() - started) / 1000).toFixed(0)} s)\r`);
  }
  process.stderr.write("\n");
  console.log(`P4 seeded ${opts.points} points across ${opts.tenants} tenants over 30 days in ${((performance.now() - started) / 1000).toFixed(1)} s (straight into the store)`);
}

interface Timed {
  ms: number;
  status: number;
  bytes: number;
  /** SQL round trips, as the dashboard's Server-Timing says (`desc="n round trips"`). */
  roundTrips: number | null;
}

async function time(url: string, token: string): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  const trips = /desc="(\d+) round trips"/.exec(res.headers.get("server-timing") ?? "")?.[1];
  return { ms: performance.now() - started, status: res.status, bytes: body.length, roundTrips: trips === undefined ? null : Number(trips) };
}

/** What P4 opens at each window: every page with a time window, and the overview's JSON twin. */
function pagesAt(range: string): [string, string][] {
  return [
    ["overview API", `/api/overview?range=${range}`],
    ["overview page", `/?range=${range}`],
    ["tenant page", `/tenants/tenant-0001?range=${range}`],
    ["plans page", `/plans?range=${range}`],
  ];
}

async function measure(stack: Stack, token: string, what: string, path: string): Promise<void> {
  const url = new URL(path, stack.urls.dashboard).href;
  const first = await time(url, token);
  if (first.status !== 200) {
    // A figure too: the dashboard gave up (its SQL client times out after 30 s).
    console.log(`P4 ${what.padEnd(32)}: answered ${first.status} after ${ms(first.ms)} ms (not repeated)`);
    return;
  }
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push((await time(url, token)).ms);
  const s = summarize(runs);
  console.log(
    `P4 ${what.padEnd(32)}: first ${ms(first.ms)} ms, then p50 ${ms(s.p50)} ms, min ${ms(Math.min(...runs))} ms (${RUNS} runs, ${first.bytes} bytes, ${first.roundTrips ?? "?"} SQL round trips)`,
  );
}

export async function runP4(opts: P4Options): Promise<void> {
  const state = await mkdtemp(join(tmpdir(), "tenantscope-p4-"));
  const stack = await startStack({
    port: 0,
    apiPort: 0,
    persistTo: state,
    seed: false,
    log: () => {},
    extraWorkers: [{
      name: SEEDER,
      scriptPath: resolve(import.meta.dirname, "ae-seeder.js"),
      durableObjects: { AE_STORE: { className: "AnalyticsStore", scriptName: AE_WORKER, useSQLite: true } },
    }],
  });
  try {
    console.log("P4 setup: one Miniflare instance, state on disk (a temporary folder); dashboard signed in with the operator's bearer token");
    await seed(stack, opts);
    const token = stack.dashboardLogins.find((l) => l.role === "operator" && l.tenant === null)?.token;
    if (token === undefined) throw new Error("no operator login");
    for (const range of ["15m", "24h", "30d"]) {
      for (const [what, path] of pagesAt(range)) await measure(stack, token, `${what} range=${range}`, path);
    }
    await measure(stack, token, "billing page (this month)", "/billing");
  } finally {
    await stack.dispose();
    await rm(state, { recursive: true, force: true });
  }
}
