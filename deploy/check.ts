/**
 * `pnpm run deploy:check`: `wrangler deploy --dry-run` for every Worker, on the same
 * filled-in configs `pnpm run deploy` would upload (with a placeholder KV id, a
 * sample route and dummy secrets), offline and without Cloudflare credentials.
 * Fails on a non-zero exit, on any wrangler warning or error, and on a production
 * binding missing from wrangler's binding table.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { readConfig, requiredSecrets, writeDeployConfig } from "./config.ts";
import { planSecrets, writeSecretsFile } from "./secrets.ts";
import { runWrangler, wranglerEnv } from "./wrangler.ts";
import { ROOT, WORKERS, type WorkerSpec } from "./workers.ts";

/** A well-formed KV id (32 hex): the dry run never resolves it. */
const PLACEHOLDER_KV_ID = "0".repeat(32);
const SAMPLE = { platformDomain: "tenants.example.com", zone: "example.com", dashboardUrl: "https://dashboard.example.com" };

/** Warnings we have judged harmless, with why. None so far: any warning fails. */
const ALLOWED_WARNINGS: readonly RegExp[] = [];

function problems(worker: WorkerSpec, raw: string, secrets: readonly string[]): string[] {
  // wrangler colours its warnings even into a pipe when FORCE_COLOR is inherited.
  const output = stripVTControlCharacters(raw);
  const found: string[] = [];
  for (const line of output.split("\n")) {
    if (/\[(WARNING|ERROR)\]|✘|▲/.test(line) && !ALLOWED_WARNINGS.some((re) => re.test(line))) found.push(line.trim());
  }
  const table = output.split("\n").filter((line) => line.startsWith("env."));
  for (const b of worker.bindings) {
    if (!table.some((line) => line.startsWith(`env.${b.name} `) && line.includes(b.resource))) {
      found.push(`binding env.${b.name} (${b.resource}) is missing from the dry run`);
    }
  }
  for (const name of secrets) {
    // wrangler lists secret_text bindings among the vars, with the value "(hidden)".
    if (!table.some((line) => line.startsWith(`env.${name} ("(hidden)")`))) {
      found.push(`required secret ${name} is not bound in the dry run`);
    }
  }
  if (!output.includes("--dry-run: exiting now.")) found.push("wrangler did not reach the end of the dry run");
  return found;
}

async function checkWorker(worker: WorkerSpec, work: string): Promise<{ ok: boolean; report: string }> {
  const started = performance.now();
  const dir = join(work, worker.name);
  const configDir = mkdtempSync(`${dir}-config-`);
  const config = writeDeployConfig(configDir, worker, { plansKvId: PLACEHOLDER_KV_ID, ...SAMPLE });
  const args = ["deploy", "--dry-run", "--config", config, "--outdir", join(dir + "-out")];
  const secrets = requiredSecrets(readConfig(worker));
  if (secrets.length > 0) {
    const dummy = Object.fromEntries(secrets.map((s) => [s, `dry-run-${s.toLowerCase()}`]));
    args.push("--secrets-file", writeSecretsFile(configDir, worker.name, planSecrets(secrets, dummy)));
  }
  const env = wranglerEnv(process.env, { credentials: false, logDir: join(work, "logs") });
  const run = await runWrangler(args, { cwd: ROOT, env, echo: false });
  const found = problems(worker, run.output, secrets);
  if (run.code !== 0) found.unshift(`wrangler exited with ${run.code}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const head = `${found.length === 0 ? "ok  " : "FAIL"} ${worker.name} (${worker.dir}/wrangler.jsonc, ${seconds} s)`;
  if (found.length === 0) return { ok: true, report: head };
  return { ok: false, report: [head, ...found.map((p) => `     ${p}`), "     --- wrangler output ---", run.output.trimEnd()].join("\n") };
}

async function main(): Promise<number> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), "tenantscope-deploy-check-"));
  try {
    // In parallel: each dry run is mostly esbuild and wrangler start-up (~5 s).
    const results = await Promise.all(WORKERS.map((w) => checkWorker(w, work)));
    for (const r of results) console.log(r.report);
    const failed = results.filter((r) => !r.ok).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(failed === 0 ? `deploy:check: ${results.length} Workers ok in ${seconds} s` : `deploy:check: ${failed} of ${results.length} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
