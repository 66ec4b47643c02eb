/**
 * `pnpm dev`: starts the whole local platform, seeds it, prints where everything
 * is, and stops cleanly on Ctrl-C.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { banner } from "./banner.ts";
import { BuildError } from "./build.ts";
import { PORT_FLAGS, PortInUseError } from "./ports.ts";
import { RunnerAliveError, endLeftovers, forgetRunner, recordRunner } from "./leftovers.ts";
import { SeedError } from "./seed.ts";
import { DEFAULT_STATE_DIR, startStack, type Stack } from "./stack.ts";

const HELP = `Usage: pnpm dev [options]

Starts the local platform in one Miniflare instance: the dispatcher, the Tail
Worker, the dashboard, the local Cloudflare API stand-in (namespace, Analytics
Engine), and the demo tenants from examples/ (uploaded through the REST API), then
watches the Workers' sources and reloads on change. \`pnpm demo\` sends traffic.

Options:
  --port <n>            dispatcher port (default 8787, env TENANTSCOPE_PORT)
  --api-port <n>        local Cloudflare API port (default 8789, env TENANTSCOPE_API_PORT)
  --dashboard-port <n>  dashboard port (default 8788, env TENANTSCOPE_DASHBOARD_PORT)
  --fresh               wipe the persisted local state first
  --state-dir <dir>     where the local state persists (default .tenantscope/state, env TENANTSCOPE_STATE_DIR)
  --no-watch            do not rebuild on source changes
  --alerts-interval <s> run the alert evaluator every s seconds (default 10, env
                        TENANTSCOPE_ALERTS_INTERVAL; 0: never; production: every minute)
  -h, --help            show this help

Port 0 picks any free port.`;

class UsageError extends Error {
  override name = "UsageError";
}

function portOption(value: string | undefined, spec: { flag: string; envVar: string; defaultPort: number }): number {
  const raw = value ?? process.env[spec.envVar];
  if (raw === undefined || raw === "") return spec.defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    const source = value === undefined ? spec.envVar : spec.flag;
    throw new UsageError(`${source} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "api-port": { type: "string" },
      "dashboard-port": { type: "string" },
      fresh: { type: "boolean", default: false },
      "state-dir": { type: "string" },
      watch: { type: "boolean", default: true },
      "alerts-interval": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowNegative: true,
    strict: true,
  });
  return {
    help: values.help,
    fresh: values.fresh,
    stateDir: resolve(values["state-dir"] ?? process.env.TENANTSCOPE_STATE_DIR ?? DEFAULT_STATE_DIR),
    watch: values.watch,
    port: portOption(values.port, PORT_FLAGS.dispatcher),
    apiPort: portOption(values["api-port"], PORT_FLAGS.api),
    dashboardPort: portOption(values["dashboard-port"], PORT_FLAGS.dashboard),
    alertsIntervalMs: secondsOption(values["alerts-interval"]),
  };
}

const DEFAULT_ALERTS_INTERVAL_S = 10;

function secondsOption(value: string | undefined): number {
  const raw = value ?? process.env.TENANTSCOPE_ALERTS_INTERVAL;
  if (raw === undefined || raw === "") return DEFAULT_ALERTS_INTERVAL_S * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds > 0 && seconds < 1) || seconds > 3600) {
    throw new UsageError(`${value === undefined ? "TENANTSCOPE_ALERTS_INTERVAL" : "--alerts-interval"} must be 0 or seconds from 1 to 3600, got "${raw}"`);
  }
  return Math.round(seconds * 1000);
}

function explain(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\n\n${HELP}`;
  if (error instanceof PortInUseError || error instanceof BuildError || error instanceof RunnerAliveError) return error.message;
  if (error instanceof SeedError) return `seeding the local platform failed: ${error.message}`;
  if (error instanceof Error && "code" in error && error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `${error.message}\n\n${HELP}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<void> {
  // `pnpm dev -- --port 0` passes the "--" through.
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  const cli = parseCli(args);
  if (cli.help) {
    console.log(HELP);
    return;
  }
  const started = performance.now();
  let stack: Stack | null = null;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // During start-up, or on a second Ctrl-C: leave now (Miniflare's "exit" hook
    // still kills workerd).
    if (stack === null || stopping) process.exit(130);
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    stack.dispose().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`stopping failed: ${explain(error)}`);
        process.exit(1);
      },
    );
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, stop);

  // A runner that died without stopping its workerd processes left them on our ports.
  // The record lives beside the state folder, which --fresh wipes.
  const runnerDir = resolve(cli.stateDir, "..");
  const leftovers = await endLeftovers(runnerDir);
  if (leftovers.ended.length > 0) {
    console.log(`tenantscope dev: ended ${leftovers.ended.length} workerd process(es) left running by an earlier pnpm dev (pid ${leftovers.runnerPid}, no longer running): ${leftovers.ended.join(", ")}`);
  }
  recordRunner(runnerDir);
  process.on("exit", () => forgetRunner(runnerDir));
  console.log(`tenantscope dev: building and starting (dispatcher :${cli.port}, local API :${cli.apiPort})...`);
  stack = await startStack({ port: cli.port, apiPort: cli.apiPort, dashboardPort: cli.dashboardPort, fresh: cli.fresh, watch: cli.watch, persistTo: cli.stateDir, alertsIntervalMs: cli.alertsIntervalMs });
  // Miniflare's own signal hook calls process.exit() synchronously, before an async
  // dispose could finish (leaving the build folder behind). This CLI owns the
  // signals instead; Miniflare's "exit" hook stays as the safety net.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (listener !== stop) process.removeListener(signal, listener);
    }
  }
  console.log(banner({ stack, startedMs: performance.now() - started, watching: cli.watch, alertsIntervalMs: cli.alertsIntervalMs }));
}

main().catch((error: unknown) => {
  console.error(`tenantscope dev: ${explain(error)}`);
  process.exit(1);
});
