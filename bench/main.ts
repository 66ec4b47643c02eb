/**
 * `pnpm bench`: the benchmarks, each printing its figures.
 * - P1: the dispatcher's overhead against the seed's ten-line dispatcher (p1.ts)
 * - P3: the Tail Worker's CPU per trace (p3-tail.ts)
 * - AE: the local Analytics Engine: writes per second, and GROUP BY over 1 M points (ae.ts)
 * - P4: the dashboard's overview page and API over 10 M points, 1,000 tenants (p4-dashboard.ts)
 * - runtime: false CPU failures, CPU accuracy, a runaway tenant, throughput, quiet and loaded (runtime/)
 * - alerts: the alert evaluator's SQL queries and CPU per run, 1,000 tenants and 50 rules (alerts.ts)
 * - memory: RSS of every process of the stack at 20 req/s over time (runtime/memory.ts; not in the default set)
 * - soak: every answer recorded as sent, 100 req/s for 30 min loaded (runtime/soak.ts; not in the default set)
 *
 * `pnpm bench -- --only p3,ae,p4 --items 100000 --points 1000000 --p4-points 10000000`
 */
import { parseArgs } from "node:util";
import { runAe } from "./ae.ts";
import { runAlerts } from "./alerts.ts";
import { runP1 } from "./p1.ts";
import { runP3 } from "./p3-tail.ts";
import { runP4 } from "./p4-dashboard.ts";
import { runMemory } from "./runtime/memory.ts";
import { runSoak } from "./runtime/soak.ts";
import { runRuntime } from "./runtime/index.ts";

const SUITES = ["p1", "p3", "ae", "p4", "alerts", "runtime", "memory", "soak"] as const;
/** What runs without --only: memory and soak take half an hour each. */
const DEFAULT_SUITES = ["p1", "p3", "ae", "p4", "alerts", "runtime"];
type Suite = (typeof SUITES)[number];

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}

function isSuite(name: string): name is Suite {
  return (SUITES as readonly string[]).includes(name);
}

function parseCli() {
  // `pnpm bench -- --requests 500` passes the "--" through.
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string", default: DEFAULT_SUITES.join(",") },
      "runtime-seconds": { type: "string", default: "60" },
      "memory-minutes": { type: "string", default: "30" },
      "soak-minutes": { type: "string", default: "30" },
      "soak-rate": { type: "string", default: "100" },
      "soak-quiet": { type: "boolean", default: false },
      // The tenant processes' inspectors stay closed, as under `pnpm dev` (no host heap readings).
      "memory-no-tenant-heaps": { type: "boolean", default: false },
      requests: { type: "string", default: "2000" },
      warmup: { type: "string", default: "300" },
      items: { type: "string", default: "100000" },
      points: { type: "string", default: "1000000" },
      writes: { type: "string", default: "5000" },
      "p4-points": { type: "string", default: "10000000" },
    },
    strict: true,
  });
  const only = values.only.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = only.filter((s) => !isSuite(s));
  if (unknown.length > 0) throw new Error(`--only: unknown suite(s) ${unknown.join(", ")}; known: ${SUITES.join(", ")}`);
  return {
    only: new Set(only.filter(isSuite)),
    requests: positiveInt(values.requests, "--requests"),
    warmup: positiveInt(values.warmup, "--warmup"),
    items: positiveInt(values.items, "--items"),
    points: positiveInt(values.points, "--points"),
    writes: positiveInt(values.writes, "--writes"),
    p4Points: positiveInt(values["p4-points"], "--p4-points"),
    runtimeSeconds: positiveInt(values["runtime-seconds"], "--runtime-seconds"),
    memoryMinutes: positiveInt(values["memory-minutes"], "--memory-minutes"),
    soakMinutes: positiveInt(values["soak-minutes"], "--soak-minutes"),
    soakRate: positiveInt(values["soak-rate"], "--soak-rate"),
    soakQuiet: values["soak-quiet"],
    tenantHeaps: !values["memory-no-tenant-heaps"],
  };
}

async function main(): Promise<void> {
  const cli = parseCli();
  if (cli.only.has("p1")) await runP1({ requests: cli.requests, warmup: cli.warmup });
  if (cli.only.has("p3")) await runP3({ items: cli.items });
  if (cli.only.has("ae")) await runAe({ points: cli.points, writes: cli.writes });
  if (cli.only.has("p4")) await runP4({ points: cli.p4Points, tenants: 1000 });
  if (cli.only.has("alerts")) await runAlerts({ tenants: 1000, rules: 50, runs: 23 });
  if (cli.only.has("runtime")) await runRuntime({ seconds: cli.runtimeSeconds, rates: [50, 100, 200] });
  if (cli.only.has("memory")) await runMemory({ minutes: cli.memoryMinutes, warmupMinutes: 2, rate: 20, tenantHeaps: cli.tenantHeaps });
  if (cli.only.has("soak")) await runSoak({ minutes: cli.soakMinutes, rate: cli.soakRate, loaded: !cli.soakQuiet });
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
