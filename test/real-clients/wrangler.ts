/**
 * Runs the workspace's own wrangler (a devDependency) against a local stack, as a
 * platform would: the API's base URL, token and account from the environment, and a
 * home of its own so nothing of the user's (login, config, logs) is read or written.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Stack } from "../../local/dev/stack.ts";

const WRANGLER_PACKAGE = resolve(import.meta.dirname, "../../node_modules/wrangler");

export const WRANGLER_VERSION = (JSON.parse(readFileSync(join(WRANGLER_PACKAGE, "package.json"), "utf8")) as { version: string }).version;

export interface Run {
  code: number;
  out: string;
}

export function wranglerEnv(stack: Stack, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    CLOUDFLARE_API_BASE_URL: `${stack.urls.api}/client/v4`,
    CLOUDFLARE_API_TOKEN: stack.apiToken,
    CLOUDFLARE_ACCOUNT_ID: "local",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_LOG_PATH: join(home, "logs"),
    NO_UPDATE_NOTIFIER: "1",
    CI: "1",
  };
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "tenantscope-wrangler-"));
}

/** One wrangler command; resolves with its exit code and its output (stdout and stderr together). */
export function wrangler(stack: Stack, args: readonly string[], opts: { cwd: string; home: string }): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join(WRANGLER_PACKAGE, "bin/wrangler.js"), ...args], { cwd: opts.cwd, env: wranglerEnv(stack, opts.home), timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}
