/**
 * `pnpm bench -- --only soak`: the issue's "every answer recorded as sent". The demo
 * mix open-loop at `--soak-rate` (100) req/s for `--soak-minutes` (30), with the
 * machine loaded by two CPU-bound processes unless `--soak-quiet`. Each minute prints
 * what the clients got; at the end, what Analytics Engine recorded for the measured
 * window is compared with it, tenant by tenant and status by status, and the runtime's
 * own warnings ("code had hung", cross-request I/O) from every process are counted.
 */
import { summarize } from "../stats.ts";
import { DEMO_MIX, describeKinds, loadMachine, openLoop, type Probe } from "./load.ts";
import { processes, rssMb, slope } from "./memory.ts";
import { RUNTIME_ERROR, startBenchStack, type BenchStack } from "./setup.ts";

export interface SoakOptions {
  minutes: number;
  rate: number;
  loaded: boolean;
}

const MIX: readonly Probe[] = [...DEMO_MIX, { path: "/hello/x", expect: 200 }, { path: "/nobody/", expect: 404 }];

/** "/hello/x 200" → "hello 200": AE keys points by tenant, not path. */
function tenantKey(pathStatus: string): string {
  const [path = "", status = ""] = pathStatus.split(" ");
  return `${path.split("/")[1] ?? ""} ${status}`;
}

interface AeRow {
  tenant: string;
  status: number;
  n: number;
}

/** Requests per "tenant status" that AE holds since `sinceSeconds` (the dashboard's own status rule). */
async function recorded(bench: BenchStack, sinceSeconds: number): Promise<Map<string, number>> {
  const status = "if(double10 = 0 AND blob14 != 'dispatcher', double4, double10)";
  const sql = `SELECT blob1 AS tenant, ${status} AS status, SUM(_sample_interval * (double1 + double11)) AS n FROM tenant_invocations WHERE timestamp >= toDateTime(${sinceSeconds}) GROUP BY tenant, status FORMAT JSON`;
  const res = await fetch(`${bench.stack.urls.api}/client/v4/accounts/local/analytics_engine/sql`, { method: "POST", body: sql, headers: { authorization: `Bearer ${bench.stack.apiToken}` } });
  if (!res.ok) throw new Error(`AE query failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: AeRow[] };
  return new Map(body.data.map((r) => [`${r.tenant} ${Number(r.status)}`, Number(r.n)]));
}

function total(m: ReadonlyMap<string, number>): number {
  return [...m.values()].reduce((a, b) => a + b, 0);
}

/** AE has every point once the total stops moving (the tail writes after the answers). */
async function settled(bench: BenchStack, since: number, expected: number): Promise<Map<string, number>> {
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const now = await recorded(bench, since);
    const n = total(now);
    if (n >= expected || n === last) return now;
    last = n;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return recorded(bench, since);
}

export async function runSoak(options: SoakOptions): Promise<void> {
  console.log(`soak: the demo mix at ${options.rate} req/s for ${options.minutes} min, machine ${options.loaded ? "loaded by two CPU-bound processes" : "quiet"}`);
  const bench = await startBenchStack();
  try {
    await openLoop(bench.stack.urls.dispatcher, MIX, Math.min(50, options.rate), 20);
    await new Promise((r) => setTimeout(r, 2000));
    const warmLines = bench.logs.length;
    const since = Math.ceil(Date.now() / 1000) + 1;
    await new Promise((r) => setTimeout(r, since * 1000 - Date.now()));
    // For the whole window: the default bound (10 min) once left a 30-minute soak quiet after its first 10.
    const stop = options.loaded ? loadMachine(2, options.minutes * 60 + 300) : () => {};
    const rss = new Map<string, [number, number][]>();
    const sample = (minute: number): void => {
      for (const [label, pid] of processes(bench.stack.supervisor.slots)) {
        const mb = rssMb(pid);
        if (Number.isFinite(mb)) rss.set(label, [...(rss.get(label) ?? []), [minute, mb]]);
      }
    };
    sample(0);
    const client = new Map<string, number>();
    let sent = 0;
    let unexpected = 0;
    try {
      for (let minute = 1; minute <= options.minutes; minute++) {
        const run = await openLoop(bench.stack.urls.dispatcher, MIX, options.rate, 60);
        sent += run.sent;
        unexpected += run.unexpected;
        for (const [k, n] of run.answers) client.set(tenantKey(k), (client.get(tenantKey(k)) ?? 0) + n);
        sample(minute);
        const lat = summarize(run.latencies);
        console.log(`  minute ${minute}: ${run.unexpected} unexpected of ${run.sent}, achieved ${(run.sent / run.seconds).toFixed(0)} req/s, p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms${run.unexpected > 0 ? ` (${describeKinds(run.kinds)})` : ""}`);
      }
    } finally {
      stop();
    }
    const ae = await settled(bench, since, sent);
    const keys = [...new Set([...client.keys(), ...ae.keys()])].sort();
    const differ = keys.filter((k) => (client.get(k) ?? 0) !== (ae.get(k) ?? 0));
    console.log(`  answers: ${sent} sent, ${unexpected} unexpected (${((100 * unexpected) / Math.max(1, sent)).toFixed(3)} %)`);
    console.log(`  AE recorded ${total(ae)} requests in the window; tenant/status pairs where AE and the clients differ: ${differ.length}${differ.length > 0 ? ` (${differ.slice(0, 8).map((k) => `${k}: clients ${client.get(k) ?? 0}, AE ${ae.get(k) ?? 0}`).join("; ")})` : ""}`);
    for (const [label, points] of rss) {
      const first = points[0]?.[1] ?? 0;
      const last = points.at(-1)?.[1] ?? 0;
      console.log(`  RSS ${label}: ${first.toFixed(0)} → ${last.toFixed(0)} MB, slope ${slope(points).toFixed(2)} MB/min`);
    }
    const lines = bench.logs.slice(warmLines).filter((l) => RUNTIME_ERROR.test(l));
    const distinct = [...new Set(lines.map((l) => l.replace(/^\[[\d.]+ min\] /, "").slice(0, 160)))];
    console.log(`  runtime warnings logged: ${lines.length}${distinct.length > 0 ? `: ${distinct.slice(0, 4).join(" | ")}` : ""}`);
    const kills = bench.logs.slice(warmLines).filter((l) => /killed the tenant process|over .* ms \+ grace/.test(l));
    console.log(`  CPU kills and after-the-fact failures: ${kills.length}${kills.length > 0 ? `: ${kills.slice(0, 3).join(" | ")}` : ""}`);
  } finally {
    await bench.stack.dispose();
  }
}
