/**
 * The real clients for the KV tests: wrangler's CLI (wrangler.ts's environment and
 * home of its own; here stdout is kept as bytes, for binary values) and the
 * official `cloudflare` SDK, 6.x and 7.x (test/package.json).
 */
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import Cloudflare from "cloudflare";
import Cloudflare7 from "cloudflare7";
import type { Stack } from "../../local/dev/stack.ts";
import { WRANGLER_VERSION, tempHome, wranglerEnv } from "./wrangler.ts";

const WRANGLER = resolve(import.meta.dirname, "../../node_modules/wrangler/bin/wrangler.js");

export const ACCOUNT = "local";

/** The version of an SDK as installed for these tests (test/node_modules/<dir>/package.json). */
async function sdkVersion(dir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(resolve(import.meta.dirname, "../node_modules", dir, "package.json"), "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") throw new Error(`no version in test/node_modules/${dir}/package.json`);
  return manifest.version;
}

export async function clientVersions(): Promise<{ wrangler: string; cloudflare: string; cloudflare7: string }> {
  return { wrangler: WRANGLER_VERSION, cloudflare: await sdkVersion("cloudflare"), cloudflare7: await sdkVersion("cloudflare7") };
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
  const dir = tempHome();
  const env = { ...wranglerEnv(stack, dir), NO_COLOR: "1" };
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
