/**
 * The committed wrangler.jsonc files stay account-neutral (no KV ids, no zone), so
 * `wrangler types` and every clone see the same file. At deploy time we write a
 * copy with the account's values filled in, in a temp directory, and point
 * `wrangler deploy --config` at it. Paths in that copy are made absolute because
 * wrangler resolves them against the config file's directory.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { ROOT, type WorkerSpec } from "./workers.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function configPath(worker: WorkerSpec): string {
  return join(ROOT, worker.dir, "wrangler.jsonc");
}

export function readConfig(worker: WorkerSpec): JsonObject {
  const path = configPath(worker);
  // wrangler's own reader, so the file means exactly what it means to `wrangler deploy`
  // (JSONC comments, trailing commas, strings that look like either). Raw, not normalised:
  // the copy we write must stay a config wrangler reads again, not its internal form.
  // Round-tripped through JSON: a plain copy of our own to fill in, typed as JSON.
  const parsed = JSON.parse(JSON.stringify(experimental_readRawConfig({ config: path }).rawConfig)) as Json;
  if (!isObject(parsed)) throw new Error(`${path}: not a JSON object`);
  if (parsed.name !== worker.name) {
    throw new Error(`${path}: name is ${JSON.stringify(parsed.name)}, deploy/workers.ts expects "${worker.name}"`);
  }
  return parsed;
}

/** `secrets.required` of a config: the secrets the Worker refuses to run without. */
export function requiredSecrets(config: JsonObject): string[] {
  const secrets = config.secrets;
  if (!isObject(secrets) || !Array.isArray(secrets.required)) return [];
  return secrets.required.filter((s): s is string => typeof s === "string");
}

export interface DeployValues {
  /** Id of the KV namespace bound as PLANS in every Worker. */
  plansKvId: string;
  /** `*.<domain>/*` goes to the dispatcher, and its PLATFORM_DOMAIN var follows. */
  platformDomain?: string | undefined;
  /** The zone the route lives in (e.g. example.com for *.tenants.example.com). */
  zone?: string | undefined;
  /** The dashboard's URL, for the links in alert notifications (a config's DASHBOARD_URL var). */
  dashboardUrl?: string | undefined;
}

/** The production config with this account's values filled in. */
export function deployConfig(worker: WorkerSpec, values: DeployValues): JsonObject {
  const config = readConfig(worker);
  const dir = join(ROOT, worker.dir);
  delete config.$schema;
  if (typeof config.main === "string") config.main = resolve(dir, config.main);
  if (isObject(config.assets) && typeof config.assets.directory === "string") {
    config.assets = { ...config.assets, directory: resolve(dir, config.assets.directory) };
  }
  const kv = Array.isArray(config.kv_namespaces) ? config.kv_namespaces : [];
  config.kv_namespaces = kv.map((ns) => (isObject(ns) && ns.binding === "PLANS" ? { ...ns, id: values.plansKvId } : ns));
  if (values.dashboardUrl !== undefined && isObject(config.vars) && "DASHBOARD_URL" in config.vars) {
    config.vars = { ...config.vars, DASHBOARD_URL: values.dashboardUrl };
  }
  // Only the dispatcher (the Worker with the namespace binding) answers tenant hosts.
  if (values.platformDomain !== undefined && Array.isArray(config.dispatch_namespaces)) {
    const vars = isObject(config.vars) ? config.vars : {};
    config.vars = { ...vars, PLATFORM_DOMAIN: values.platformDomain };
    const route: JsonObject = { pattern: `*.${values.platformDomain}/*` };
    if (values.zone !== undefined) route.zone_name = values.zone;
    config.routes = [route];
  }
  return config;
}

/** Writes the filled-in config into `dir` and returns its path. */
export function writeDeployConfig(dir: string, worker: WorkerSpec, values: DeployValues): string {
  const path = join(dir, `${worker.name}.wrangler.json`);
  writeFileSync(path, `${JSON.stringify(deployConfig(worker, values), null, 2)}\n`);
  return path;
}
