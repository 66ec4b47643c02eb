/**
 * The four Workers that make up a tenantscope platform, in deploy order, and the
 * bindings each production config must declare. `pnpm run deploy` walks this list;
 * `pnpm run deploy:check` dry-runs it and checks the bindings wrangler reports.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is deploy/workers.ts). */
export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Title of the one KV namespace every Worker binds as PLANS (core/KV.md). */
export const PLANS_KV_TITLE = "tenantscope-plans";

/** A binding line of `wrangler deploy --dry-run`: `env.<name> ... <resource>`. */
export interface ExpectedBinding {
  name: string;
  resource: string;
}

export interface WorkerSpec {
  /** Directory under the repository root, holding wrangler.jsonc. */
  dir: string;
  /** The `name` in that wrangler.jsonc (the deployed script name). */
  name: string;
  bindings: readonly ExpectedBinding[];
}

/**
 * Tail first: tenants uploaded with `tail_consumers: [{service: "tenantscope-tail"}]`
 * need it to exist. Then the dispatcher, which serves traffic. Then the alert
 * evaluator, which the dashboard's ALERTS service binding names. The dashboard last:
 * it only reads what the others produce.
 */
export const WORKERS: readonly WorkerSpec[] = [
  {
    dir: "tail-worker",
    name: "tenantscope-tail",
    bindings: [
      { name: "INVOCATIONS", resource: "Analytics Engine Dataset" },
      { name: "PLANS", resource: "KV Namespace" },
    ],
  },
  {
    dir: "dispatcher",
    name: "tenantscope-dispatcher",
    bindings: [
      { name: "DISPATCHER", resource: "Dispatch Namespace" },
      { name: "PLANS", resource: "KV Namespace" },
    ],
  },
  {
    dir: "alerts",
    name: "tenantscope-alerts",
    bindings: [
      // Rules, webhooks, assignments (its quota stops) and the audit log.
      { name: "PLANS", resource: "KV Namespace" },
      { name: "STATE", resource: "Durable Object" },
    ],
  },
  {
    dir: "dashboard",
    name: "tenantscope-dashboard",
    bindings: [
      // The audit log lives in PLANS too (core/src/audit.ts).
      { name: "PLANS", resource: "KV Namespace" },
      { name: "ALERTS", resource: "Worker" },
    ],
  },
];
