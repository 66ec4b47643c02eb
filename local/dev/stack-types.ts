/** What startStack takes and gives (stack.ts). */
import type { Miniflare, V4ServiceDesignator, V4WorkerOptions } from "miniflare";
import type { AlertTicker } from "./alerts.ts";
import type { PlatformCollector } from "./platform-gc.ts";
import type { AlertSeed } from "./seed-alerts.ts";
import type { DevLogin } from "./logins.ts";
import type { SeedResult } from "./seed.ts";
import type { Supervisor } from "./tenants/supervisor.ts";

/** A Worker added next to the platform, used as-is (no bundling). */
export interface ExtraWorker {
  name: string;
  /** An ES module file. */
  scriptPath: string;
  compatibilityDate?: string;
  bindings?: Record<string, string>;
  serviceBindings?: Record<string, V4ServiceDesignator>;
  /** KV bindings by KV id (PLANS_KV_ID is the platform's shared plans namespace). */
  kvNamespaces?: Record<string, string>;
  /** Bindings to other Workers' Durable Object classes (benchmarks seed the AE store). */
  durableObjects?: NonNullable<V4WorkerOptions["durableObjects"]>;
  /** Socket port; default 0 (any free port). */
  port?: number;
}

export interface StackOptions {
  /** Dispatcher port (default 8787; 0 = any free port). */
  port?: number;
  /** Local Cloudflare API port (default 8789; 0 = any free port). */
  apiPort?: number;
  /** Dashboard port (default 8788, or any free port when `port` is 0; 0 = any free port). */
  dashboardPort?: number;
  /** Where KV, Durable Objects and uploads persist; false keeps them in memory. */
  persistTo?: string | false;
  /** Wipe `persistTo` before starting. */
  fresh?: boolean;
  /**
   * Rebuild on source changes and reload Miniflare; re-upload edited examples. With
   * `persistTo: false` a reload loses uploads, so watch mode wants persistence.
   */
  watch?: boolean;
  /** Upload demo tenants and assign plans before returning (default: all of them). */
  seed?: false | { tenants?: readonly string[] };
  /**
   * Service bindings added to the dispatcher; one named like a KV binding replaces it
   * (the benchmark binds PLANS to its read-counting Worker).
   */
  dispatcherServices?: Record<string, V4ServiceDesignator>;
  /** Override dispatcher vars, e.g. a short PLAN_CACHE_TTL_SECONDS in tests. */
  dispatcherVars?: Record<string, string>;
  extraWorkers?: readonly ExtraWorker[];
  /** Extra Workers (by name) the stand-in may deliver tenant traces to, as tail consumers. */
  tailConsumers?: readonly string[];
  /** Extra Workers (by name) the stand-in may send tenants' subrequests through, as Outbound Workers. */
  outboundWorkers?: readonly string[];
  /** Tenant processes (default 2): each runs one invocation at a time, so its thread's CPU is that tenant's. */
  tenantProcesses?: number;
  /** Replace the stand-in's entry module (tests of the runner itself). */
  localEntry?: string;
  /** What tenants print (default: this process's stdout, as workerd would). */
  tenantLog?: (line: string) => void;
  /** The runner's own messages (rebuilds, reloads, build errors). */
  log?: (line: string) => void;
  /**
   * What the platform's workerd prints, with its level (its Workers' console and the
   * runtime's own warnings, such as "code had hung"); default: this process's console.
   */
  platformLog?: (message: string, level: string) => void;
  /**
   * Run the alert evaluator's scheduled handler this often (pnpm dev: 10 s); 0 or
   * absent: never by itself (`stack.alerts` is null; tests call the Worker directly).
   */
  alertsIntervalMs?: number;
  /**
   * Open the platform workerd's V8 inspector on this port (the memory benchmark reads
   * each Worker's heap); default: a free port, for the garbage collector below.
   */
  inspectorPort?: number;
  /**
   * Have the platform's isolates collect their garbage this often, over the inspector
   * (platform-gc.ts; default PLATFORM_GC_EVERY_MS, 10 s); 0: never, as before, and no
   * inspector unless `inspectorPort` is set.
   */
  platformGcEveryMs?: number;
  /**
   * Open each tenant process's V8 inspector, one port per process in order (the
   * tenant-process heap test and the memory benchmark read the host's and the
   * tenants' heaps there). A restarted process opens it again on the same port.
   */
  tenantInspectorPorts?: readonly number[];
}

export interface StackUrls {
  dispatcher: string;
  api: string;
  dashboard: string;
  /** Extra Workers by name. */
  extra: Record<string, string>;
}

export interface Stack {
  urls: StackUrls;
  apiToken: string;
  namespace: string;
  seeded: SeedResult | null;
  /** Dashboard sign-ins (tokens in clear, for the person running the stack). */
  dashboardLogins: DevLogin[];
  persistTo: string | false;
  mf: Miniflare;
  /** Runs the tenants (local/dev/tenants). */
  supervisor: Supervisor;
  /** The alert evaluator's interval runner, when `alertsIntervalMs` is set. */
  alerts: AlertTicker | null;
  /** The platform's periodic garbage collection (null with `platformGcEveryMs: 0`). */
  platformGc: PlatformCollector | null;
  /** The local-inbox webhook and the demo rule the seed wrote (null without a seed). */
  alertSeed: AlertSeed | null;
  dispose(): Promise<void>;
}
