/**
 * `pnpm bench -- --only runtime`: is the local runtime trustworthy under load?
 * Each scenario runs with the machine quiet and loaded by two CPU-bound processes:
 * false CPU failures (bursts, and rates over the demo mix), CPU accuracy, a runaway
 * tenant, throughput. Memory over time is `--only memory` (memory.ts).
 */
import { summarize } from "../stats.ts";
import { DEMO_MIX, bursts, describeKinds, get, loadMachine, openLoop, type Probe } from "./load.ts";
import { cpuOf, referenceCpuMs, startBenchStack, type BenchStack } from "./setup.ts";

export interface RuntimeOptions {
  /** Seconds per rate of the demo mix. */
  seconds: number;
  rates: readonly number[];
}

/** The demo mix, plus a path under a tenant and an unknown tenant. */
const MIX: readonly Probe[] = [...DEMO_MIX, { path: "/hello/x", expect: 200 }, { path: "/nobody/", expect: 404 }];

async function falseFailures(bench: BenchStack, options: RuntimeOptions, label: string): Promise<void> {
  const base = bench.stack.urls.dispatcher;
  const burst = await bursts(base, { path: "/hello/", expect: 200 }, 50, 20);
  console.log(`  [${label}] 50-concurrent bursts of hello (free, 10 ms) ×20: ${burst.unexpected} unexpected of ${burst.sent}${burst.unexpected > 0 ? ` (${describeKinds(burst.kinds)})` : ""}`);
  for (const rate of options.rates) {
    const run = await openLoop(base, MIX, rate, options.seconds);
    const lat = summarize(run.latencies);
    console.log(`  [${label}] demo mix at ${rate} req/s for ${options.seconds} s: ${run.unexpected} unexpected of ${run.sent} (achieved ${(run.sent / run.seconds).toFixed(0)} req/s, p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms)${run.unexpected > 0 ? ` ${describeKinds(run.kinds)}` : ""}`);
  }
}

let burnerCalls = 0;

async function accuracy(bench: BenchStack, label: string): Promise<void> {
  for (const ms of [5, 20, 100, 500]) {
    const reference = Math.min(...Array.from({ length: 3 }, () => referenceCpuMs(ms)));
    for (let i = 0; i < 5; i++) await get(bench.stack.urls.dispatcher, `/burner/?ms=${ms}`);
    burnerCalls += 5;
    const cpus = (await cpuOf(bench, "burner", burnerCalls)).slice(-5);
    const s = summarize(cpus);
    const ok = Math.abs(s.p50 - ms) <= Math.max(2, 0.2 * ms);
    console.log(`  [${label}] cpu-burner ?ms=${ms}: measured p50 ${s.p50} ms (min ${Math.min(...cpus)}, max ${Math.max(...cpus)}); the same loop in Node ${reference.toFixed(1)} ms; ${ok ? "within" : "OUTSIDE"} ±20% / ±2 ms of ${ms}`);
  }
}

let looperCalls = 0;

async function runaway(bench: BenchStack, label: string): Promise<void> {
  const { dispatcher, api, dashboard } = bench.stack.urls;
  const times: number[] = [];
  const probes: Record<string, number[]> = { hello: [], api: [], dashboard: [] };
  let failures = 0;
  for (let round = 0; round < 5; round++) {
    let running = true;
    const probing = (async () => {
      while (running) {
        const [h, a, d] = await Promise.all([
          get(dispatcher, "/hello/"),
          get(api, "/client/v4/accounts/local/workers/dispatch/namespaces", { authorization: `Bearer ${bench.stack.apiToken}` }),
          get(dashboard, "/login"),
        ]);
        probes.hello?.push(h.ms);
        probes.api?.push(a.ms);
        probes.dashboard?.push(d.ms);
        if (h.status !== 200 || a.status !== 200 || d.status !== 200) failures += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answer = await get(dispatcher, "/looper/");
    running = false;
    await probing;
    if (answer.status !== 503) failures += 1;
    times.push(answer.ms);
    looperCalls += 1;
  }
  const cpus = (await cpuOf(bench, "looper", looperCalls)).slice(-5);
  const t = summarize(times);
  console.log(`  [${label}] for(;;){} on pro (50 ms): 503 after p50 ${t.p50.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms of wall time; CPU at the kill ${cpus.join(", ")} ms`);
  const line = Object.entries(probes).map(([name, xs]) => `${name} p99 ${summarize(xs).p99.toFixed(1)} ms (n ${xs.length})`).join(", ");
  console.log(`  [${label}]   meanwhile: ${line}; ${failures} failed answers`);
}

async function throughput(bench: BenchStack, label: string): Promise<void> {
  let best = 0;
  // Let the runaway's restarts and queues settle first.
  await new Promise((r) => setTimeout(r, 3000));
  // From low: loaded, this machine saturates under 200 req/s.
  for (const rate of [50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000]) {
    const run = await openLoop(bench.stack.urls.dispatcher, [{ path: "/hello/", expect: 200 }], rate, 8);
    const achieved = run.sent / run.seconds;
    const p99 = summarize(run.latencies).p99;
    const clean = run.unexpected === 0 && achieved >= rate * 0.95 && p99 < 1000;
    console.log(`  [${label}] hello at ${rate} req/s: ${run.unexpected} unexpected, achieved ${achieved.toFixed(0)} req/s, p99 ${p99.toFixed(0)} ms${clean ? "" : "  ← saturated"}`);
    if (!clean) break;
    best = rate;
  }
  console.log(`  [${label}] highest clean rate: ${best} req/s`);
}

export async function runRuntime(options: RuntimeOptions): Promise<void> {
  console.log("runtime: the local runtime under load (one Miniflare for the platform, tenants in 2 tenant processes)");
  const bench = await startBenchStack();
  try {
    for (const label of ["quiet", "loaded"] as const) {
      const stop = label === "loaded" ? loadMachine(2) : () => {};
      try {
        await falseFailures(bench, options, label);
        await accuracy(bench, label);
        await runaway(bench, label);
        await throughput(bench, label);
      } finally {
        stop();
      }
    }
    const errorLines = bench.logs.filter((l) => /error|uncaught|hung|different request/i.test(l));
    console.log(`  runtime error lines in the log: ${errorLines.length}${errorLines.length > 0 ? `, first: ${errorLines.slice(0, 3).join(" | ")}` : ""}`);
  } finally {
    await bench.stack.dispose();
  }
}
