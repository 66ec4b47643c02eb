/**
 * The whole local platform in ONE Miniflare instance: the local Cloudflare API
 * stand-in (namespace, Analytics Engine), the dispatcher and the Tail Worker (plus
 * any extra Workers a caller adds), with shared KV and Durable Object state. Used by `pnpm dev`, the benchmark and
 * the end-to-end tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { MiniflareOptions, V4ServiceDesignator, V4WorkerOptions } from "miniflare";
import { startBuilder, type Builder } from "./build.ts";
import {
  CONFIG_PATHS,
  DISPATCHER_WORKER,
  LOCAL_WORKER,
  REPO_ROOT,
  TAIL_WORKER,
  apiTokenOf,
  defaultPlanOf,
  dispatcherNamespace,
  dispatcherWorkerOptions,
  entryOf,
  localWorkerOptions,
  readWorkerConfig,
  socket,
  tailWorkerOptions,
  type WorkerConfig,
} from "./options.ts";
import { PORT_FLAGS, assertPortsFree } from "./ports.ts";
import { watchExamples } from "./examples-watch.ts";
import { LocalApiClient, seedDemo, type SeedOptions, type SeedResult } from "./seed.ts";

export const DEFAULT_STATE_DIR = resolve(REPO_ROOT, ".tenantscope/state");
const RELOAD_DEBOUNCE_MS = 150;

/** A Worker added next to the platform, used as-is (no bundling). */
export interface ExtraWorker {
  name: string;
  /** An ES module file. */
  scriptPath: string;
  compatibilityDate?: string;
  bindings?: Record<string, string>;
  serviceBindings?: Record<string, V4ServiceDesignator>;
  /** Socket port; default 0 (any free port). */
  port?: number;
}

export interface StackOptions {
  /** Dispatcher port (default 8787; 0 = any free port). */
  port?: number;
  /** Local Cloudflare API port (default 8789; 0 = any free port). */
  apiPort?: number;
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
  /** Bind the dispatcher's PLANS to the stand-in's read-counting MeteredKV. */
  meterKvReads?: boolean;
  extraWorkers?: readonly ExtraWorker[];
  /** Replace the stand-in's entry module (tests of the runner itself). */
  localEntry?: string;
  /** The runner's own messages (rebuilds, reloads, build errors). */
  log?: (line: string) => void;
}

export interface StackUrls {
  dispatcher: string;
  api: string;
  /** Extra Workers by name. */
  extra: Record<string, string>;
}

export interface Stack {
  urls: StackUrls;
  apiToken: string;
  namespace: string;
  seeded: SeedResult | null;
  persistTo: string | false;
  mf: Miniflare;
  dispose(): Promise<void>;
}

interface Plan {
  local: WorkerConfig;
  dispatcher: WorkerConfig;
  tail: WorkerConfig;
  port: number;
  apiPort: number;
  persistTo: string | false;
  opts: StackOptions;
}

function miniflareOptions(plan: Plan, builder: Builder): MiniflareOptions {
  const scriptOf = (name: string): string => {
    const path = builder.scriptPaths.get(name);
    if (path === undefined) throw new Error(`no bundle for ${name}`);
    return path;
  };
  const extras: V4WorkerOptions[] = (plan.opts.extraWorkers ?? []).map((extra) => ({
    name: extra.name,
    modules: true,
    scriptPath: extra.scriptPath,
    modulesRoot: resolve(extra.scriptPath, ".."),
    compatibilityDate: extra.compatibilityDate ?? plan.dispatcher.compatibility_date,
    bindings: extra.bindings ?? {},
    serviceBindings: extra.serviceBindings ?? {},
    unsafeDirectSockets: socket(extra.port ?? 0),
  }));
  return convertV4MiniflareOptions({
    // Miniflare's own entry socket is not used; keep it off the platform's ports.
    host: "127.0.0.1",
    port: 0,
    ...(plan.persistTo === false ? {} : { resourcePersistencePath: plan.persistTo }),
    workers: [
      localWorkerOptions(plan.local, scriptOf(LOCAL_WORKER), plan.apiPort, [TAIL_WORKER]),
      tailWorkerOptions(plan.tail, scriptOf(TAIL_WORKER)),
      dispatcherWorkerOptions(plan.dispatcher, scriptOf(DISPATCHER_WORKER), {
        port: plan.port,
        meterKvReads: plan.opts.meterKvReads === true,
      }),
      ...extras,
    ],
  });
}

/** Debounced, serialised `mf.setOptions()` after rebuilds. */
function reloader(log: (line: string) => void): {
  attach(mf: Miniflare, options: () => MiniflareOptions): void;
  changed(name: string): void;
  settle(): Promise<void>;
  stop(): void;
} {
  let target: { mf: Miniflare; options: () => MiniflareOptions } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  const run = (): void => {
    timer = undefined;
    const names = [...pending].join(", ");
    pending = new Set();
    const current = target;
    if (current === null) return;
    chain = chain.then(async () => {
      const started = performance.now();
      try {
        await current.mf.setOptions(current.options());
        log(`reloaded ${names} in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        log(`reload of ${names} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  return {
    attach(mf, options) {
      target = { mf, options };
    },
    changed(name) {
      pending.add(name);
      clearTimeout(timer);
      timer = setTimeout(run, RELOAD_DEBOUNCE_MS);
    },
    settle: () => chain,
    stop() {
      clearTimeout(timer);
      target = null;
    },
  };
}

async function directUrl(mf: Miniflare, worker: string): Promise<string> {
  return (await mf.unsafeGetDirectURL(worker)).href.replace(/\/$/, "");
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? ((line: string) => console.error(`[tenantscope] ${line}`));
  const local = readWorkerConfig(CONFIG_PATHS.local);
  const dispatcher = readWorkerConfig(CONFIG_PATHS.dispatcher);
  const tail = readWorkerConfig(CONFIG_PATHS.tail);
  const plan: Plan = {
    local,
    dispatcher,
    tail,
    port: opts.port ?? PORT_FLAGS.dispatcher.defaultPort,
    apiPort: opts.apiPort ?? PORT_FLAGS.api.defaultPort,
    persistTo: opts.persistTo ?? DEFAULT_STATE_DIR,
    opts,
  };
  await assertPortsFree([
    { ...PORT_FLAGS.dispatcher, port: plan.port },
    { ...PORT_FLAGS.api, port: plan.apiPort },
  ]);
  if (opts.fresh === true && plan.persistTo !== false) await rm(plan.persistTo, { recursive: true, force: true });

  const outRoot = await mkdtemp(resolve(tmpdir(), "tenantscope-build-"));
  const reload = reloader(log);
  const builder = await startBuilder(
    [
      { name: LOCAL_WORKER, entry: opts.localEntry ?? entryOf(local) },
      { name: DISPATCHER_WORKER, entry: entryOf(dispatcher) },
      { name: TAIL_WORKER, entry: entryOf(tail) },
    ],
    {
      outRoot,
      watch: opts.watch === true,
      onChange: (name) => reload.changed(name),
      onError: (name, message) => log(`build of ${name} failed; still running the previous version:\n${message}`),
    },
  ).catch(async (error: unknown) => {
    await rm(outRoot, { recursive: true, force: true });
    throw error;
  });

  let stopWatchingExamples = (): void => {};
  const cleanup = async (mf: Miniflare | null): Promise<void> => {
    stopWatchingExamples();
    reload.stop();
    await builder.dispose();
    await reload.settle();
    if (mf !== null) {
      await mf.dispose().catch((error: unknown) => log(`disposing Miniflare failed: ${String(error)}`));
    }
    await rm(outRoot, { recursive: true, force: true });
  };

  let mf: Miniflare | null = null;
  try {
    mf = new Miniflare(miniflareOptions(plan, builder));
    await mf.ready;
    const running = mf;
    reload.attach(running, () => miniflareOptions(plan, builder));
    const extra: Record<string, string> = {};
    for (const worker of opts.extraWorkers ?? []) extra[worker.name] = await directUrl(running, worker.name);
    const urls: StackUrls = {
      dispatcher: await directUrl(running, DISPATCHER_WORKER),
      api: await directUrl(running, LOCAL_WORKER),
      extra,
    };
    const apiToken = apiTokenOf(local);
    const namespace = dispatcherNamespace(dispatcher);
    let seeded: SeedResult | null = null;
    if (opts.seed !== false) {
      const api = new LocalApiClient(urls.api, apiToken);
      const seedOpts: SeedOptions = {
        namespace,
        targetUrl: `${urls.api}/_local/echo`,
        defaultPlan: defaultPlanOf(dispatcher),
        ...(opts.seed?.tenants === undefined ? {} : { tenants: opts.seed.tenants }),
      };
      seeded = await seedDemo(api, seedOpts);
      if (opts.watch === true) stopWatchingExamples = watchExamples(api, seedOpts, log);
    }
    let disposed: Promise<void> | null = null;
    return {
      urls,
      apiToken,
      namespace,
      seeded,
      persistTo: plan.persistTo,
      mf: running,
      dispose: () => (disposed ??= cleanup(running)),
    };
  } catch (error) {
    await cleanup(mf);
    throw error;
  }
}
