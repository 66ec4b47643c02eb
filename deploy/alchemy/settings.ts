/**
 * What the alchemy program takes from the committed production configs, so that
 * a change to a wrangler.jsonc (a var, the namespace, the dataset, the date)
 * reaches both deploy paths.
 */
import { join, resolve } from "node:path";
import { readConfig, type Json } from "../config.ts";
import { ROOT, WORKERS } from "../workers.ts";

export interface ProductionSettings {
  name: string;
  /** The Worker's package directory (absolute). */
  dir: string;
  /** The repository root (absolute). */
  root: string;
  /** Absolute path of the entry module. */
  main: string;
  compatibilityDate: string;
  /** `vars`, as plain-text bindings. */
  vars: Record<string, string>;
  /** The `dispatch_namespaces` namespace; "" when the Worker has none. */
  dispatchNamespace: string;
  /** The `analytics_engine_datasets` dataset; "" when the Worker has none. */
  dataset: string;
  /** `triggers.crons` (the alert evaluator's schedule); empty when the Worker has none. */
  crons: string[];
}

function str(value: Json | undefined, what: string): string {
  if (typeof value !== "string" || value === "") throw new Error(`${what} must be a non-empty string`);
  return value;
}

function firstField(list: Json | undefined, field: string): string {
  if (!Array.isArray(list)) return "";
  const first = list[0];
  if (typeof first !== "object" || first === null || Array.isArray(first)) return "";
  const value = first[field];
  return typeof value === "string" ? value : "";
}

function cronsOf(triggers: Json | undefined): string[] {
  if (typeof triggers !== "object" || triggers === null || Array.isArray(triggers) || !Array.isArray(triggers.crons)) return [];
  return triggers.crons.filter((c): c is string => typeof c === "string");
}

export function productionSettings(name: string): ProductionSettings {
  const worker = WORKERS.find((w) => w.name === name);
  if (worker === undefined) throw new Error(`no Worker named ${name} in deploy/workers.ts`);
  const config = readConfig(worker);
  const dir = join(ROOT, worker.dir);
  const vars: Record<string, string> = {};
  const rawVars = config.vars;
  if (typeof rawVars === "object" && rawVars !== null && !Array.isArray(rawVars)) {
    for (const [key, value] of Object.entries(rawVars)) {
      // "" is a real value here (the dashboard's Access vars are off when empty).
      if (typeof value !== "string") throw new Error(`${name} var ${key} must be a string`);
      vars[key] = value;
    }
  }
  return {
    name,
    dir,
    root: ROOT,
    main: resolve(dir, str(config.main, `${name} main`)),
    compatibilityDate: str(config.compatibility_date, `${name} compatibility_date`),
    vars,
    dispatchNamespace: firstField(config.dispatch_namespaces, "namespace"),
    dataset: firstField(config.analytics_engine_datasets, "dataset"),
    crons: cronsOf(config.triggers),
  };
}
