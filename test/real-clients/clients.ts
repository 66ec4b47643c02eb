/**
 * The real clients, as a platform runs them against the local API: wrangler's CLI
 * (a child process with its own HOME, so nothing of the user's config or login is
 * read or written) and the official `cloudflare` SDK, 6.x and 7.x.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Cloudflare from "cloudflare";
import Cloudflare7 from "cloudflare7";
import type { Stack } from "../../local/dev/stack.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export const ACCOUNT = "local";

/** The installed version of a root devDependency (node_modules/<dir>/package.json). */
export async function installedVersion(dir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, "node_modules", dir, "package.json"), "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error(`no version in node_modules/${dir}/package.json`);
  return manifest.version;
}

export interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface Wrangler {
  run(args: string[]): Promise<Run>;
  /** The same, failing the test unless wrangler exits 0; stdout as text. */
  ok(args: string[]): Promise<string>;
  dir: string;
  dispose(): Promise<void>;
}

export async function wranglerFor(stack: Stack): Promise<Wrangler> {
  const dir = await mkdtemp(join(tmpdir(), "tenantscope-wrangler-"));
  // Only what wrangler needs: none of the caller's CLOUDFLARE_* or wrangler settings leak in.
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    CLOUDFLARE_API_BASE_URL: `${stack.urls.api}/client/v4`,
    CLOUDFLARE_API_TOKEN: stack.apiToken,
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    NO_COLOR: "1",
    CI: "1",
  };
  const run = (args: string[]): Promise<Run> => new Promise((resolveRun) => {
    execFile(process.execPath, [WRANGLER, ...args], { cwd: dir, env, encoding: "buffer", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolveRun({ code, stdout, stderr: stderr.toString("utf8") });
      });
  });
  return {
    run,
    async ok(args) {
      const result = await run(args);
      if (result.code !== 0) throw new Error(`wrangler ${args.join(" ")} exited ${result.code}:\n${result.stdout.toString("utf8")}\n${result.stderr}`);
      return result.stdout.toString("utf8");
    },
    dir,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** No retries: a refusal must show on the first answer, as the test expects it. */
export function sdk6(stack: Stack): Cloudflare {
  return new Cloudflare({ apiToken: stack.apiToken, baseURL: `${stack.urls.api}/client/v4`, maxRetries: 0 });
}

export function sdk7(stack: Stack): Cloudflare7 {
  return new Cloudflare7({ apiToken: stack.apiToken, baseURL: `${stack.urls.api}/client/v4`, maxRetries: 0 });
}
