/**
 * The platform Workers' options (dispatcher and dashboard): their production configs
 * with the local wiring in place of what Cloudflare provides (the stand-in namespace,
 * the local Analytics Engine and its SQL API, the tail consumers, the dev sign-ins).
 */
import { resolve } from "node:path";
import type { V4ServiceDesignator, V4WorkerOptions } from "miniflare";
import {
  REPO_ROOT,
  baseWorkerOptions,
  configServices,
  durableObjects,
  kvNamespaces,
  namespaceBinding,
  socket,
  varsToBindings,
  type WorkerConfig,
} from "./options.ts";

export interface DispatcherWiring {
  port: number;
  /**
   * Extra service bindings; one named like a KV binding replaces it (the benchmark
   * binds PLANS to its read-counting Worker).
   */
  services?: Record<string, V4ServiceDesignator>;
  /** Var overrides (tests shorten PLAN_CACHE_TTL_SECONDS). */
  vars?: Record<string, string>;
}

/**
 * The dispatcher: production vars with PLATFORM_DOMAIN = localhost, shared plans KV,
 * and each `dispatch_namespaces` binding replaced by the stand-in's entrypoint.
 */
export function dispatcherWorkerOptions(config: WorkerConfig, scriptPath: string, wiring: DispatcherWiring): V4WorkerOptions {
  const serviceBindings = configServices(config);
  for (const ns of config.dispatch_namespaces) serviceBindings[ns.binding] = namespaceBinding(ns.namespace, ns.outbound);
  Object.assign(serviceBindings, wiring.services);
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, { PLATFORM_DOMAIN: "localhost", ...wiring.vars }),
    kvNamespaces: kvNamespaces(config, new Set(Object.keys(wiring.services ?? {}))),
    serviceBindings,
    unsafeDirectSockets: socket(wiring.port),
  };
}

export interface DashboardWiring {
  port: number;
  /** The local AE SQL endpoint, with `{account}` as in the production var. */
  sqlUrl: string;
  /** The local Workers Observability telemetry query endpoint, with `{account}`. */
  telemetryUrl: string;
  /** The local Dispatch Namespace scripts endpoint, with `{account}` and `{namespace}` as in the production var. */
  namespaceUrl: string;
  /** Values production keeps as secrets (logins.ts). */
  secrets: Record<string, string>;
  /** What the empty state tells a developer to run (commands.ts). */
  demoCommand: string;
  /**
   * The stack runs the alert evaluator (tenantscope-alerts). Without it the ALERTS
   * binding is left out, as a deploy without the evaluator would, and the Alerts page
   * says so (a binding to a Worker the instance lacks stops workerd from starting).
   */
  alerts?: boolean;
}

/**
 * The dashboard: production vars with the SQL endpoint pointed at the local AE,
 * local secrets, the shared plans KV (which holds the audit log too) and its assets.
 */
export function dashboardWorkerOptions(config: WorkerConfig, scriptPath: string, wiring: DashboardWiring): V4WorkerOptions {
  const directory = config.assets?.directory;
  const configDir = config.configPath === undefined ? REPO_ROOT : resolve(config.configPath, "..");
  const serviceBindings = configServices(config);
  if (wiring.alerts !== true) delete serviceBindings.ALERTS;
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, { AE_SQL_URL: wiring.sqlUrl, TELEMETRY_QUERY_URL: wiring.telemetryUrl, NAMESPACE_API_URL: wiring.namespaceUrl, DEMO_COMMAND: wiring.demoCommand, ...wiring.secrets }),
    kvNamespaces: kvNamespaces(config, new Set()),
    durableObjects: durableObjects(config),
    serviceBindings,
    // As wrangler does: assets first, then the Worker for everything else.
    ...(directory === undefined ? {} : { assets: { directory: resolve(configDir, directory), routerConfig: { has_user_worker: true } } }),
    unsafeDirectSockets: socket(wiring.port),
  };
}

export interface AlertsWiring {
  /** The local AE SQL endpoint, with `{account}` as in the production var. */
  sqlUrl: string;
  /** The dashboard's origin, for the links in notifications. */
  dashboardUrl: string;
  /** The local API's token, standing in for the CF_API_TOKEN secret. */
  apiToken: string;
}

/**
 * The alert evaluator: production vars with the SQL endpoint pointed at the local AE,
 * the shared plans KV (rules, webhooks, assignments, the audit log) and its Durable
 * Object. No socket and no cron: the runner calls its scheduled handler (dev/alerts.ts),
 * and the dashboard reaches it through its ALERTS service binding.
 */
export function alertsWorkerOptions(config: WorkerConfig, scriptPath: string, wiring: AlertsWiring): V4WorkerOptions {
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, { AE_SQL_URL: wiring.sqlUrl, DASHBOARD_URL: wiring.dashboardUrl, CF_ACCOUNT_ID: "local", CF_API_TOKEN: wiring.apiToken }),
    kvNamespaces: kvNamespaces(config, new Set()),
    durableObjects: durableObjects(config),
    serviceBindings: configServices(config),
  };
}

