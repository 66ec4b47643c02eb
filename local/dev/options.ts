/**
 * Production wrangler configs → Miniflare (v4-shape) worker options, plus the local
 * wiring that never goes into those configs: the stand-in namespace in place of
 * `dispatch_namespaces`, the local Analytics Engine in place of
 * `analytics_engine_datasets`, one shared KV id for `PLANS`, and one socket per Worker.
 *
 * Why not wrangler's own mapping, `unstable_getMiniflareWorkerOptions(configPath)`
 * (exported by wrangler 4.164, same V4 shape)? Checked on our five configs, it does not
 * fit as a base:
 * - it reads `.dev.vars`/`.env` next to each config and, for a config declaring
 *   `secrets.required` (the dashboard), the process environment: a developer's real
 *   `CF_API_TOKEN` would enter the local options, only to be overridden;
 * - it prints a warning on every start for exactly what we replace (dispatch
 *   namespaces "do not support local development", missing dashboard secrets);
 * - a KV binding without an id gets its binding name as id (`PLANS`), not the shared
 *   plans namespace, and AE datasets become Miniflare's no-op binding.
 * Every binding we wire would be overridden; the rest (vars, compatibility settings,
 * SQLite Durable Objects) unstable_readConfig and
 * unstable_getDurableObjectClassNameToUseSQLiteMap give below, without the side effects.
 */
import { resolve } from "node:path";
import type { V4ServiceDesignator, V4WorkerOptions } from "miniflare";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from "wrangler";
import { outboundBindingName } from "../src/runtime/outbound-protocol.ts";
import { tailBindingName } from "../src/tail/names.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const LOCAL_WORKER = "tenantscope-local";
/** The local Analytics Engine, a Worker of its own (local/ae). */
export const AE_WORKER = "tenantscope-local-ae";
/** The tenant host, run in tenant processes of their own (local/host, local/dev/tenants). */
export const HOST_WORKER = "tenantscope-tenant-host";
export const DISPATCHER_WORKER = "tenantscope-dispatcher";
export const TAIL_WORKER = "tenantscope-tail";
export const DASHBOARD_WORKER = "tenantscope-dashboard";
/** The alert evaluator (alerts/): the runner triggers its scheduled handler on a short interval (dev/alerts.ts). */
export const ALERTS_WORKER = "tenantscope-alerts";
/** The KV id every local Worker uses for plans, so they all see the same records. */
export const PLANS_KV_ID = "tenantscope-plans";
/** The RPC entrypoints of the stand-in that other Workers bind to. */
export const NAMESPACE_ENTRYPOINT = "LocalDispatchNamespace";
export const ANALYTICS_ENTRYPOINT = "LocalAnalyticsEngine";

export const CONFIG_PATHS = {
  local: resolve(REPO_ROOT, "local/wrangler.jsonc"),
  ae: resolve(REPO_ROOT, "local/ae/wrangler.jsonc"),
  host: resolve(REPO_ROOT, "local/host/wrangler.jsonc"),
  dispatcher: resolve(REPO_ROOT, "dispatcher/wrangler.jsonc"),
  tail: resolve(REPO_ROOT, "tail-worker/wrangler.jsonc"),
  dashboard: resolve(REPO_ROOT, "dashboard/wrangler.jsonc"),
  alerts: resolve(REPO_ROOT, "alerts/wrangler.jsonc"),
} as const;

type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };

/** The part of wrangler's normalised config that the runner reads. */
export interface WorkerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags: string[];
  vars: Record<string, VarValue>;
  kv_namespaces: { binding: string; id?: string }[];
  durable_objects: { bindings: { name: string; class_name: string; script_name?: string }[] };
  migrations: { tag: string; new_classes?: string[]; new_sqlite_classes?: string[] }[];
  worker_loaders: { binding: string }[];
  services: { binding: string; service: string; entrypoint?: string }[];
  dispatch_namespaces: { binding: string; namespace: string; outbound?: { service: string; parameters?: string[] } }[];
  analytics_engine_datasets: { binding: string; dataset?: string }[];
  /** The Workers that receive this Worker's traces (the dispatcher's: the Tail Worker). */
  tail_consumers?: { service: string; environment?: string }[];
  assets?: { directory?: string };
  /** Where the config was read from (wrangler sets it); relative paths start there. */
  configPath?: string;
}

/** Binding kinds this runner wires; anything else in a config is reported, not dropped. */
const UNSUPPORTED_FIELDS = [
  "r2_buckets",
  "d1_databases",
  "queues",
] as const;

export function readWorkerConfig(configPath: string): WorkerConfig {
  const config: Record<string, unknown> & WorkerConfig = unstable_readConfig({ config: configPath });
  if (typeof config.main !== "string" || typeof config.compatibility_date !== "string") {
    throw new Error(`${configPath}: "main" and "compatibility_date" are required`);
  }
  for (const field of UNSUPPORTED_FIELDS) {
    const value = config[field];
    if (Array.isArray(value) && value.length > 0) {
      throw new Error(`${configPath}: the dev runner does not wire "${field}" yet (local/dev/options.ts)`);
    }
  }
  return config;
}

/** Each config's `main`, resolved; the build step bundles these. */
export function entryOf(config: WorkerConfig): string {
  return resolve(config.main);
}

/** A service binding to the stand-in's namespace entrypoint, scoped to one namespace (and its Outbound Worker). */
export function namespaceBinding(namespace: string, outbound?: { service: string; parameters?: string[] }): V4ServiceDesignator {
  const props = outbound === undefined ? { namespace } : { namespace, outbound: { service: outbound.service, parameters: outbound.parameters ?? [] } };
  return { name: LOCAL_WORKER, entrypoint: NAMESPACE_ENTRYPOINT, props };
}

/** The local Analytics Engine dataset binding (writeDataPoint over RPC). */
export function analyticsBinding(dataset: string): V4ServiceDesignator {
  return { name: AE_WORKER, entrypoint: ANALYTICS_ENTRYPOINT, props: { dataset } };
}

export function socket(port: number): NonNullable<V4WorkerOptions["unsafeDirectSockets"]> {
  return [{ host: "127.0.0.1", port }];
}

export const varsToBindings = (vars: Record<string, VarValue>, overrides: Record<string, string>): Record<string, VarValue> => ({ ...vars, ...overrides });

export function durableObjects(config: WorkerConfig): NonNullable<V4WorkerOptions["durableObjects"]> {
  const sqlite: Map<string, boolean> = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  const result: NonNullable<V4WorkerOptions["durableObjects"]> = {};
  for (const binding of config.durable_objects.bindings) {
    result[binding.name] = {
      className: binding.class_name,
      ...(binding.script_name === undefined ? {} : { scriptName: binding.script_name }),
      useSQLite: sqlite.get(binding.class_name) === true,
    };
  }
  return result;
}

/** KV bindings keep their configured id; bindings without one share PLANS_KV_ID. */
export function kvNamespaces(config: WorkerConfig, skip: ReadonlySet<string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const kv of config.kv_namespaces) {
    if (!skip.has(kv.binding)) result[kv.binding] = kv.id ?? PLANS_KV_ID;
  }
  return result;
}

/** The config's own `services`, as Miniflare service bindings (Workers of this instance). */
export function configServices(config: WorkerConfig): Record<string, V4ServiceDesignator> {
  const result: Record<string, V4ServiceDesignator> = {};
  for (const s of config.services) result[s.binding] = s.entrypoint === undefined ? { name: s.service } : { name: s.service, entrypoint: s.entrypoint };
  return result;
}

export function baseWorkerOptions(config: WorkerConfig, scriptPath: string): V4WorkerOptions {
  const tails = (config.tail_consumers ?? []).map((t) => t.service);
  return {
    name: config.name,
    modules: true,
    scriptPath,
    modulesRoot: resolve(scriptPath, ".."),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    // As in production: the runtime hands this Worker's traces to the named Workers of
    // this instance (the dispatcher's to the Tail Worker, for its answer lines).
    ...(tails.length === 0 ? {} : { tails }),
  };
}

/** A service binding to an HTTP server of this machine (the supervisor, the local API). */
export function httpService(port: number): V4ServiceDesignator {
  return { external: { address: `127.0.0.1:${port}`, http: {} } };
}

/**
 * The stand-in: its own bindings as configured, reachable on the API port, plus one
 * binding per tail consumer and per Outbound Worker it can reach, and TENANT_RUNNER
 * pointed at the supervisor (tenants run in processes of their own).
 */
export function localWorkerOptions(config: WorkerConfig, scriptPath: string, apiPort: number, reach: { tailConsumers: readonly string[]; outbound: readonly string[] }, supervisorPort: number): V4WorkerOptions {
  const serviceBindings = configServices(config);
  for (const service of reach.tailConsumers) serviceBindings[tailBindingName(service)] = { name: service };
  for (const service of reach.outbound) serviceBindings[outboundBindingName(service)] = { name: service };
  serviceBindings.TENANT_RUNNER = httpService(supervisorPort);
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, {}),
    kvNamespaces: kvNamespaces(config, new Set()),
    durableObjects: durableObjects(config),
    serviceBindings,
    unsafeDirectSockets: socket(apiPort),
  };
}

/**
 * workerd's own network service, as Miniflare's "internet" allows it (public and
 * private addresses, loopback among them). The tenant host's subrequests go here
 * directly: through the Worker's global `fetch` they passed Miniflare's outbound
 * interceptor, a JavaScript Worker of its own in each tenant process whose isolate
 * nothing ever collected, so every subrequest left about 5 KB of native memory
 * behind (a tenant process grew 16 KB per `fanout?n=3`, bench/README.md, memory).
 */
const NETWORK_SERVICE: V4ServiceDesignator = { network: { allow: ["public", "private", "240.0.0.0/4"], deny: [], tlsOptions: { trustBrowserCas: true } } };

/**
 * The tenant host, as each tenant process runs it: its Worker Loader, its token,
 * PLATFORM pointed at the local API (code and traces go through its internal routes)
 * and INTERNET at the network.
 */
export function hostWorkerOptions(config: WorkerConfig, scriptPath: string, apiPort: number, apiToken: string): V4WorkerOptions {
  const workerLoaders: Record<string, Record<string, never>> = {};
  for (const loader of config.worker_loaders) workerLoaders[loader.binding] = {};
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, { API_TOKEN: apiToken }),
    workerLoaders,
    serviceBindings: { PLATFORM: httpService(apiPort), INTERNET: NETWORK_SERVICE },
  };
}

/**
 * The local Analytics Engine: its Durable Object as configured. No socket and no
 * tail consumers: the stand-in forwards the SQL API path to it, and the Tail
 * Worker's dataset bindings reach its LocalAnalyticsEngine entrypoint.
 */
export function aeWorkerOptions(config: WorkerConfig, scriptPath: string): V4WorkerOptions {
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, {}),
    durableObjects: durableObjects(config),
    serviceBindings: configServices(config),
  };
}

export function datasetBindings(config: WorkerConfig): Record<string, V4ServiceDesignator> {
  const result: Record<string, V4ServiceDesignator> = {};
  // AE's default dataset name is the binding name.
  for (const ds of config.analytics_engine_datasets) result[ds.binding] = analyticsBinding(ds.dataset ?? ds.binding);
  return result;
}

/**
 * The Tail Worker: production vars and KV, each `analytics_engine_datasets`
 * binding replaced by the local Analytics Engine. No socket: only the stand-in
 * calls it, with tenants' traces.
 */
export function tailWorkerOptions(config: WorkerConfig, scriptPath: string): V4WorkerOptions {
  return {
    ...baseWorkerOptions(config, scriptPath),
    bindings: varsToBindings(config.vars, {}),
    kvNamespaces: kvNamespaces(config, new Set()),
    serviceBindings: { ...configServices(config), ...datasetBindings(config) },
  };
}

export function dispatcherNamespace(config: WorkerConfig): string {
  const first = config.dispatch_namespaces[0];
  if (first === undefined) throw new Error(`${config.name}: no dispatch_namespaces binding to wire`);
  return first.namespace;
}

export function apiTokenOf(config: WorkerConfig): string {
  const token = config.vars.API_TOKEN;
  return typeof token === "string" ? token : "local";
}

export function defaultPlanOf(config: WorkerConfig): string {
  const plan = config.vars.DEFAULT_PLAN;
  return typeof plan === "string" ? plan : "free";
}
