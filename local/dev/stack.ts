/**
 * The whole local platform in ONE Miniflare instance (the local Cloudflare API
 * stand-in, the local Analytics Engine, the dispatcher, the Tail Worker, the dashboard,
 * any extra Workers a caller adds) with shared KV and Durable Object state, and the
 * tenants in processes of their own behind the supervisor (tenants/). Used by
 * `pnpm dev`, the benchmark and the end-to-end tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { MiniflareOptions, V4WorkerOptions, WorkerdStructuredLog } from "miniflare";
import { startBuilder, type Builder } from "./build.ts";
import {
  AE_WORKER,
  ALERTS_WORKER,
  CONFIG_PATHS,
  DASHBOARD_WORKER,
  DISPATCHER_WORKER,
  HOST_WORKER,
  LOCAL_WORKER,
  REPO_ROOT,
  TAIL_WORKER,
  aeWorkerOptions,
  apiTokenOf,
  defaultPlanOf,
  dispatcherNamespace,
  entryOf,
  hostWorkerOptions,
  localWorkerOptions,
  readWorkerConfig,
  socket,
  tailWorkerOptions,
  type WorkerConfig,
} from "./options.ts";
import { alertsWorkerOptions, dashboardWorkerOptions, dispatcherWorkerOptions } from "./options-platform.ts";
import { startAlertTicker, type AlertTicker } from "./alerts.ts";
import { seedAlerts, type AlertSeed } from "./seed-alerts.ts";
import { PORT_FLAGS, assertPortsFree, freePort } from "./ports.ts";
import { demoCommand } from "./commands.ts";
import { watchExamples } from "./examples-watch.ts";
import { dashboardSecrets, devCredentials } from "./logins.ts";
import { STACK_TAG_VARIABLE } from "./leftovers.ts";
import { reloader } from "./reload.ts";
import { startSupervisor, type Supervisor } from "./tenants/supervisor.ts";
import { PLATFORM_GC_EVERY_MS, startPlatformCollector, type PlatformCollector } from "./platform-gc.ts";
import { LocalApiClient, seedDemo, type SeedOptions, type SeedResult } from "./seed.ts";
import type { Stack, StackOptions, StackUrls } from "./stack-types.ts";

export type { ExtraWorker, Stack, StackOptions, StackUrls } from "./stack-types.ts";

export const DEFAULT_STATE_DIR = resolve(REPO_ROOT, ".tenantscope/state");


interface Plan {
  local: WorkerConfig;
  ae: WorkerConfig;
  dispatcher: WorkerConfig;
  tail: WorkerConfig;
  dashboard: WorkerConfig;
  alerts: WorkerConfig;
  dashboardSecrets: Record<string, string>;
  supervisorPort: number;
  port: number;
  apiPort: number;
  dashboardPort: number;
  persistTo: string | false;
  /** The platform workerd's inspector (the garbage collector's way in), or none. */
  inspectorPort: number | undefined;
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
    kvNamespaces: extra.kvNamespaces ?? {},
    durableObjects: extra.durableObjects ?? {},
    unsafeDirectSockets: socket(extra.port ?? 0),
  }));
  return convertV4MiniflareOptions({
    // Miniflare's own entry socket is not used; keep it off the platform's ports.
    host: "127.0.0.1",
    port: 0,
    // Found again by a later runner if this one dies without stopping them (leftovers.ts).
    ...(process.env[STACK_TAG_VARIABLE] === undefined ? {} : { unsafeRuntimeEnv: { [STACK_TAG_VARIABLE]: process.env[STACK_TAG_VARIABLE] } }),
    ...(plan.persistTo === false ? {} : { resourcePersistencePath: plan.persistTo }),
    ...(plan.inspectorPort === undefined ? {} : { inspectorPort: plan.inspectorPort }),
    ...(plan.opts.platformLog === undefined ? {} : { handleStructuredLogs: ({ message, level }: WorkerdStructuredLog) => plan.opts.platformLog?.(message, level) }),
    workers: [
      localWorkerOptions(plan.local, scriptOf(LOCAL_WORKER), plan.apiPort, {
        tailConsumers: [TAIL_WORKER, ...(plan.opts.tailConsumers ?? [])],
        outbound: [...plan.dispatcher.dispatch_namespaces.flatMap((ns) => (ns.outbound === undefined ? [] : [ns.outbound.service])), ...(plan.opts.outboundWorkers ?? [])],
      }, plan.supervisorPort),
      aeWorkerOptions(plan.ae, scriptOf(AE_WORKER)),
      tailWorkerOptions(plan.tail, scriptOf(TAIL_WORKER)),
      dashboardWorkerOptions(plan.dashboard, scriptOf(DASHBOARD_WORKER), {
        port: plan.dashboardPort,
        sqlUrl: `http://127.0.0.1:${plan.apiPort}/client/v4/accounts/{account}/analytics_engine/sql`,
        telemetryUrl: `http://127.0.0.1:${plan.apiPort}/client/v4/accounts/{account}/workers/observability/telemetry/query`,
        namespaceUrl: `http://127.0.0.1:${plan.apiPort}/client/v4/accounts/{account}/workers/dispatch/namespaces/{namespace}/scripts`,
        secrets: plan.dashboardSecrets,
        demoCommand: demoCommand(plan.port),
        // The evaluator below is part of every stack.
        alerts: true,
      }),
      alertsWorkerOptions(plan.alerts, scriptOf(ALERTS_WORKER), {
        sqlUrl: `http://127.0.0.1:${plan.apiPort}/client/v4/accounts/{account}/analytics_engine/sql`,
        dashboardUrl: `http://localhost:${plan.dashboardPort}`,
        apiToken: apiTokenOf(plan.local),
      }),
      dispatcherWorkerOptions(plan.dispatcher, scriptOf(DISPATCHER_WORKER), {
        port: plan.port,
        ...(plan.opts.dispatcherServices === undefined ? {} : { services: plan.opts.dispatcherServices }),
        ...(plan.opts.dispatcherVars === undefined ? {} : { vars: plan.opts.dispatcherVars }),
      }),
      ...extras,
    ],
  });
}

async function directUrl(mf: Miniflare, worker: string): Promise<string> {
  return (await mf.unsafeGetDirectURL(worker)).href.replace(/\/$/, "");
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? ((line: string) => console.error(`[tenantscope] ${line}`));
  const local = readWorkerConfig(CONFIG_PATHS.local);
  const ae = readWorkerConfig(CONFIG_PATHS.ae);
  const host = readWorkerConfig(CONFIG_PATHS.host);
  const dispatcher = readWorkerConfig(CONFIG_PATHS.dispatcher);
  const tail = readWorkerConfig(CONFIG_PATHS.tail);
  const dashboard = readWorkerConfig(CONFIG_PATHS.dashboard);
  const alerts = readWorkerConfig(CONFIG_PATHS.alerts);
  const persistTo = opts.persistTo ?? DEFAULT_STATE_DIR;
  if (opts.fresh === true && persistTo !== false) await rm(persistTo, { recursive: true, force: true });
  const requestedApiPort = opts.apiPort ?? PORT_FLAGS.api.defaultPort;
  const credentials = await devCredentials(persistTo);
  const gcEveryMs = opts.platformGcEveryMs ?? PLATFORM_GC_EVERY_MS;
  const plan: Plan = {
    local,
    ae,
    dispatcher,
    tail,
    dashboard,
    alerts,
    dashboardSecrets: dashboardSecrets(credentials, apiTokenOf(local)),
    supervisorPort: 0,
    // The dashboard's demo command names the dispatcher's port, so "any free port" is chosen now.
    port: opts.port === 0 ? await freePort() : (opts.port ?? PORT_FLAGS.dispatcher.defaultPort),
    // The dashboard and the tenants' TARGET_URL need the API's number before start.
    apiPort: requestedApiPort === 0 ? await freePort() : requestedApiPort,
    // A caller that asked for any free dispatcher port (tests, benchmarks) gets one here too;
    // chosen now, as the alert evaluator's links name it.
    dashboardPort: (opts.dashboardPort ?? (opts.port === 0 ? 0 : PORT_FLAGS.dashboard.defaultPort)) || (await freePort()),
    persistTo,
    // 0: workerd picks it and Miniflare tells (a port chosen in advance can be taken meanwhile).
    inspectorPort: opts.inspectorPort ?? (gcEveryMs > 0 ? 0 : undefined),
    opts,
  };
  await assertPortsFree([
    { ...PORT_FLAGS.dispatcher, port: plan.port },
    { ...PORT_FLAGS.api, port: requestedApiPort },
    { ...PORT_FLAGS.dashboard, port: plan.dashboardPort },
  ]);

  const outRoot = await mkdtemp(resolve(tmpdir(), "tenantscope-build-"));
  let supervisor: Supervisor | undefined;
  const reloadTenants = (): void => {
    supervisor?.reload().then(() => log("reloaded the tenant processes"), (e: unknown) => log(`reloading the tenant processes failed: ${String(e)}`));
  };
  const reload = reloader(log);
  const builder = await startBuilder(
    [
      { name: LOCAL_WORKER, entry: opts.localEntry ?? entryOf(local) },
      { name: AE_WORKER, entry: entryOf(ae) },
      { name: HOST_WORKER, entry: entryOf(host) },
      { name: DISPATCHER_WORKER, entry: entryOf(dispatcher) },
      { name: TAIL_WORKER, entry: entryOf(tail) },
      { name: DASHBOARD_WORKER, entry: entryOf(dashboard) },
      { name: ALERTS_WORKER, entry: entryOf(alerts) },
    ],
    {
      outRoot,
      watch: opts.watch === true,
      // The host runs in the tenant processes, not in this instance.
      onChange: (name) => (name === HOST_WORKER ? reloadTenants() : reload.changed(name)),
      onError: (name, message) => log(`build of ${name} failed; still running the previous version:\n${message}`),
    },
  ).catch(async (error: unknown) => {
    await rm(outRoot, { recursive: true, force: true });
    throw error;
  });

  let stopWatchingExamples = (): void => {};
  let ticker: AlertTicker | null = null;
  let platformGc: PlatformCollector | null = null;
  const cleanup = async (mf: Miniflare | null): Promise<void> => {
    stopWatchingExamples();
    await ticker?.stop();
    await platformGc?.stop();
    reload.stop();
    await builder.dispose();
    await reload.settle();
    if (mf !== null) {
      await mf.dispose().catch((error: unknown) => log(`disposing Miniflare failed: ${String(error)}`));
    }
    await supervisor?.dispose().catch((error: unknown) => log(`stopping the tenant processes failed: ${String(error)}`));
    await rm(outRoot, { recursive: true, force: true });
  };

  let mf: Miniflare | null = null;
  try {
    const hostScript = builder.scriptPaths.get(HOST_WORKER) ?? "";
    const processes = Math.max(1, opts.tenantProcesses ?? 2);
    const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
    const tenantLog = opts.tenantLog ?? ((line: string) => console.log(line));
    supervisor = await startSupervisor({ processes, ports, ...(opts.tenantInspectorPorts === undefined ? {} : { inspectorPorts: opts.tenantInspectorPorts }), worker: hostWorkerOptions(host, hostScript, plan.apiPort, apiTokenOf(local)), traces: { apiUrl: `http://127.0.0.1:${plan.apiPort}`, token: apiTokenOf(local) }, calibrateSubrequests: true, log, tenantLog });
    plan.supervisorPort = supervisor.port;
    mf = new Miniflare(miniflareOptions(plan, builder));
    await mf.ready;
    if (gcEveryMs > 0 && plan.inspectorPort !== undefined) platformGc = startPlatformCollector(Number(new URL(await mf.getInspectorURL()).port), gcEveryMs, log);
    await supervisor.calibrate();
    const running = mf;
    reload.attach(running, () => miniflareOptions(plan, builder));
    const extra: Record<string, string> = {};
    for (const worker of opts.extraWorkers ?? []) extra[worker.name] = await directUrl(running, worker.name);
    const urls: StackUrls = {
      dispatcher: await directUrl(running, DISPATCHER_WORKER),
      api: await directUrl(running, LOCAL_WORKER),
      dashboard: await directUrl(running, DASHBOARD_WORKER),
      extra,
    };
    const apiToken = apiTokenOf(local);
    const namespace = dispatcherNamespace(dispatcher);
    let seeded: SeedResult | null = null;
    let alertSeed: AlertSeed | null = null;
    if (opts.seed !== false) {
      const api = new LocalApiClient(urls.api, apiToken);
      const seedOpts: SeedOptions = {
        namespace,
        targetUrl: `${urls.api}/_local/echo`,
        defaultPlan: defaultPlanOf(dispatcher),
        ...(opts.seed?.tenants === undefined ? {} : { tenants: opts.seed.tenants }),
      };
      seeded = await seedDemo(api, seedOpts);
      alertSeed = await seedAlerts(api, urls.api);
      if (opts.watch === true) stopWatchingExamples = watchExamples(api, seedOpts, log);
    }
    if ((opts.alertsIntervalMs ?? 0) > 0) ticker = startAlertTicker(() => running, opts.alertsIntervalMs ?? 0, log);
    let disposed: Promise<void> | null = null;
    return {
      urls,
      apiToken,
      namespace,
      seeded,
      dashboardLogins: credentials.logins,
      persistTo: plan.persistTo,
      mf: running,
      supervisor,
      alerts: ticker,
      platformGc,
      alertSeed,
      dispose: () => (disposed ??= cleanup(running)),
    };
  } catch (error) {
    await cleanup(mf);
    throw error;
  }
}
