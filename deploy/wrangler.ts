/**
 * Runs the workspace's wrangler on the Node that runs this script (Node 24 under
 * `pnpm run`): the `wrangler` shim on PATH could pick the system Node, which is too
 * old for wrangler 4 (DESIGN.md "Pitfalls").
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const WRANGLER_BIN = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

export interface WranglerRun {
  code: number;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
}

export interface WranglerOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Echo output live (deploy) or only collect it (check, which runs Workers in parallel). */
  echo: boolean;
}

export function runWrangler(args: readonly string[], options: WranglerOptions): Promise<WranglerRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (options.echo) stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Credentials and account settings that must not leak into an offline check. */
const CLOUDFLARE_ENV = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"];

/** The environment for wrangler: no telemetry, no prompts, optionally no credentials. */
export function wranglerEnv(base: NodeJS.ProcessEnv, options: { credentials: boolean; logDir: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: options.logDir, CI: base.CI ?? "true" };
  if (!options.credentials) for (const key of CLOUDFLARE_ENV) delete env[key];
  return env;
}
