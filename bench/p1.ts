/**
 * P1, the dispatcher's overhead.
 *
 * One Miniflare instance runs the whole stack (startStack, in memory, free ports)
 * plus the seed's ten-line dispatcher, both bound to the same local namespace, with
 * only `hello` uploaded. After a warm-up, N sequential requests go through each
 * dispatcher, alternating ABBA so drift hits both equally, over keep-alive
 * connections with `Host: hello.localhost`. Our dispatcher's PLANS is bound to the
 * bench's MeteredKV Worker (metered-kv.js), so the KV reads in the measured window
 * are counted.
 */
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
import { resolve } from "node:path";
import { CONFIG_PATHS, PLANS_KV_ID, dispatcherNamespace, namespaceBinding, readWorkerConfig } from "../local/dev/options.ts";
import { LocalApiClient, assignPlan } from "../local/dev/seed.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { keepAliveAgent, timedGet, type Timed } from "./http.ts";
import { ms, ratio, summarize } from "./stats.ts";

const SEED_WORKER = "seed-dispatcher";
const METER_WORKER = "bench-metered-kv";
const HOST = "hello.localhost";
const EXPECTED_BODY = "Hello from the hello tenant";
/**
 * The stand-in enforces cpuMs after the fact from elapsed time, so on this 2-core
 * machine a scheduling stall occasionally pushes `hello` past free's 10 ms and the
 * request becomes a 503. P1 measures the dispatcher's overhead, not that emulation,
 * so hello runs on a roomier plan here; the code path (cached plan, limits passed to
 * get()) is the same for every plan.
 */
const BENCH_PLAN = "enterprise";

/** The runtime versions actually loaded, for the record. */
export function versions(): string {
  const require = createRequire(import.meta.url);
  const version = (req: NodeJS.Require, pkg: string): string => {
    const json: unknown = req(`${pkg}/package.json`);
    return typeof json === "object" && json !== null && "version" in json ? String(json.version) : "?";
  };
  const fromMiniflare = createRequire(require.resolve("miniflare"));
  return `miniflare ${version(require, "miniflare")}, workerd ${version(fromMiniflare, "workerd")}, Node ${process.version}`;
}

async function kvReads(stack: Stack): Promise<number> {
  const url = stack.urls.extra[METER_WORKER];
  if (url === undefined) throw new Error(`${METER_WORKER} is not running`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${METER_WORKER} answered ${res.status}: ${await res.text()}`);
  const body: unknown = await res.json();
  if (typeof body !== "object" || body === null || !("kvReads" in body) || typeof body.kvReads !== "number") {
    throw new Error(`GET ${METER_WORKER}: no numeric kvReads in ${JSON.stringify(body)}`);
  }
  return body.kvReads;
}

function check(which: string, answer: Timed): Timed {
  if (answer.status !== 200 || !answer.body.startsWith(EXPECTED_BODY)) {
    throw new Error(`${which} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}

interface Target {
  label: string;
  url: URL;
  get(): Promise<Timed>;
  samples: number[];
}

function target(label: string, base: string): Target {
  const agent = keepAliveAgent();
  const url = new URL(base);
  return { label, url, samples: [], get: async () => check(label, await timedGet(agent, url, "/", HOST)) };
}

interface RunInput {
  requests: number;
  warmup: number;
  /** The dispatcher's PLAN_CACHE_TTL_SECONDS: a longer window sees refresh reads. */
  ttlSeconds: number;
}

async function run(stack: Stack, cli: RunInput): Promise<void> {
  const seedUrl = stack.urls.extra[SEED_WORKER];
  if (seedUrl === undefined) throw new Error("the seed dispatcher did not start");
  const ours = target("dispatcher", stack.urls.dispatcher);
  const seed = target("seed", seedUrl);

  await assignPlan(new LocalApiClient(stack.urls.api, stack.apiToken), "hello", BENCH_PLAN);
  const beforeWarmup = await kvReads(stack);
  for (let i = 0; i < cli.warmup; i++) {
    await ours.get();
    await seed.get();
  }
  const before = await kvReads(stack);
  const windowStarted = performance.now();
  for (let i = 0; i < cli.requests; i++) {
    const pair = i % 2 === 0 ? [ours, seed] : [seed, ours];
    for (const t of pair) t.samples.push((await t.get()).ms);
  }
  const windowMs = performance.now() - windowStarted;
  const after = await kvReads(stack);

  const a = summarize(ours.samples);
  const b = summarize(seed.samples);
  const steady = (after - before) / cli.requests;
  console.log(
    `measured: ${cli.requests} requests each (after ${cli.warmup} warm-up each), sequential, ABBA-alternated, ` +
      `window ${(windowMs / 1000).toFixed(1)} s (plan cache TTL ${cli.ttlSeconds} s); ` +
      `KV reads during warm-up = ${before - beforeWarmup} (cache fill), in the window = ${after - before}`,
  );
  console.log(`  dispatcher  p50=${ms(a.p50)} ms  p99=${ms(a.p99)} ms  mean=${ms(a.mean)} ms`);
  console.log(`  seed        p50=${ms(b.p50)} ms  p99=${ms(b.p99)} ms  mean=${ms(b.mean)} ms`);
  console.log(
    `P1 dispatcher p50=${ms(a.p50)} ms p99=${ms(a.p99)} ms | seed p50=${ms(b.p50)} p99=${ms(b.p99)} | ` +
      `ratio p50=${ratio(a.p50, b.p50)} p99=${ratio(a.p99, b.p99)} mean=${ratio(a.mean, b.mean)} | ` +
      `KV reads/request (steady) = ${steady.toFixed(3)}`,
  );
}

export interface P1Options {
  requests: number;
  warmup: number;
}

export async function runP1(cli: P1Options): Promise<void> {
  const config = readWorkerConfig(CONFIG_PATHS.dispatcher);
  const namespace = dispatcherNamespace(config);
  const ttlSeconds = Number(config.vars.PLAN_CACHE_TTL_SECONDS);
  const stack = await startStack({
    port: 0,
    apiPort: 0,
    persistTo: false,
    seed: { tenants: ["hello"] },
    // PLANS → the bench's read counter (a service binding named like the KV binding replaces it).
    dispatcherServices: { PLANS: { name: METER_WORKER, entrypoint: "MeteredKV" } },
    log: () => {},
    extraWorkers: [
      {
        name: METER_WORKER,
        scriptPath: resolve(import.meta.dirname, "metered-kv.js"),
        kvNamespaces: { PLANS: PLANS_KV_ID },
      },
      {
        name: SEED_WORKER,
        scriptPath: resolve(import.meta.dirname, "seed-dispatcher.js"),
        serviceBindings: { dispatcher: namespaceBinding(namespace) },
      },
    ],
  });
  try {
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    console.log(
      `P1 setup: one Miniflare instance (${versions()}), ${availableParallelism()} cores (${cpu}); ` +
        `client: node:http keep-alive, Host: ${HOST}; hello on plan ${BENCH_PLAN}; PLANS → bench MeteredKV`,
    );
    console.log(`  ours: tenantscope-dispatcher ${stack.urls.dispatcher} | seed: ten-line dispatcher ${stack.urls.extra[SEED_WORKER] ?? "?"}`);
    await run(stack, { ...cli, ttlSeconds });
  } finally {
    await stack.dispose();
  }
}
