/**
 * `pnpm demo`: demo traffic against a running `pnpm dev`, with a progress line.
 * Fills the local Analytics Engine (and so the dashboard) with a realistic mix.
 */
import { parseArgs } from "node:util";
import { runIncident } from "./incident.ts";
import { PORT_FLAGS } from "./ports.ts";
import { LocalApiClient } from "./seed.ts";
import { DEMO_MIX, parseDuration, runTraffic, type TrafficStats } from "./traffic.ts";

const HELP = `Usage: pnpm demo [options]

Sends demo traffic to the dispatcher of a running \`pnpm dev\`: mostly ok requests,
some tenant exceptions, CPU and subrequest violations, and a few unknown tenants.

Options:
  --duration <t>     how long: 30s, 2m, 1h or plain seconds (default 60s)
  --rate <n>         requests per second (default 20)
  --concurrency <n>  requests in flight at most (default 4)
  --url <origin>     dispatcher (default http://127.0.0.1:<TENANTSCOPE_PORT or 8787>)
  --seed <n>         random seed, to repeat a run exactly (default: time-based)
  --incident         instead: 20 s of the mix, then a minute in which fanout's calls
                     fail (over its subrequest limit), then the mix until the seeded
                     rule demo-fanout-errors resolves; prints each delivery the local
                     webhook inbox receives (firing, then resolved)
  --api-url <origin> the local API, for the inbox (default http://127.0.0.1:<TENANTSCOPE_API_PORT or 8789>)
  -h, --help         show this help`;

function positive(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got "${raw}"`);
  return n;
}

function line(stats: TrafficStats, elapsedMs: number, durationMs: number): string {
  const answers = Object.entries(stats.answers).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(" · ");
  const unexpected = stats.unexpected > 0 ? ` · unexpected ${stats.unexpected}` : "";
  return `[${(elapsedMs / 1000).toFixed(0)}/${(durationMs / 1000).toFixed(0)} s] ${stats.sent} sent · ${answers}${unexpected}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: "string", default: "60s" },
      rate: { type: "string", default: "20" },
      concurrency: { type: "string", default: "4" },
      url: { type: "string" },
      seed: { type: "string" },
      incident: { type: "boolean", default: false },
      "api-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = process.env[PORT_FLAGS.dispatcher.envVar] ?? String(PORT_FLAGS.dispatcher.defaultPort);
  const dispatcher = values.url ?? `http://127.0.0.1:${port}`;
  const durationMs = parseDuration(values.duration);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Math.floor(positive(values.seed, "--seed"));
  const probe = await fetch(new URL("/hello/", dispatcher)).catch(() => null);
  if (probe === null) throw new Error(`nothing answers at ${dispatcher}: start the platform with \`pnpm dev\` first (or pass --url)`);
  await probe.text();

  if (values.incident) return incident(dispatcher, values["api-url"], seed, positive(values.rate, "--rate"), Math.floor(positive(values.concurrency, "--concurrency")));
  console.log(`demo traffic → ${dispatcher} for ${durationMs / 1000} s at ${values.rate}/s (seed ${seed}); mix: ${DEMO_MIX.map((k) => `${k.name} ${k.weight}`).join(", ")}`);
  const tty = process.stdout.isTTY;
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const stats = await runTraffic({
    dispatcher,
    durationMs,
    rate: positive(values.rate, "--rate"),
    concurrency: Math.floor(positive(values.concurrency, "--concurrency")),
    seed,
    signal: controller.signal,
    onProgress: (s, elapsed) => {
      const text = line(s, elapsed, durationMs);
      if (tty) process.stdout.write(`\r${text}\x1b[K`);
      else console.log(text);
    },
  });
  if (tty) process.stdout.write("\n");
  console.log(`done: ${stats.sent} requests, ${stats.invocations} tenant invocations (traces → Analytics Engine)` +
    (stats.unexpected > 0 ? `; ${stats.unexpected} answered other than intended (e.g. the after-the-fact CPU limit on a busy machine)` : ""));
}

async function incident(dispatcher: string, apiUrl: string | undefined, seed: number, rate: number, concurrency: number): Promise<void> {
  const apiPort = process.env[PORT_FLAGS.api.envVar] ?? String(PORT_FLAGS.api.defaultPort);
  const api = new LocalApiClient(apiUrl ?? `http://127.0.0.1:${apiPort}`, process.env.TENANTSCOPE_API_TOKEN ?? "local");
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const outcome = await runIncident({ dispatcher, api, rate, concurrency, seed, out: (l) => console.log(l), signal: controller.signal });
  if (outcome.resolved) console.log("done: the alert fired, was delivered to the local inbox, and resolved");
  else {
    console.log(outcome.fired ? "the alert fired but did not resolve in time: see `pnpm tenantscope alert inbox`" : "no firing notification reached the inbox: is pnpm dev running its evaluator (--alerts-interval) with the seeded rule?");
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`pnpm demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
