/**
 * tenantscope on Cloudflare as an alchemy program: the second deploy path, next to
 * `pnpm run deploy` (wrangler). It declares what the wrangler configs declare, plus
 * the resources they leave to the deploy script: the dispatch namespace, the one
 * PLANS KV namespace, and the dispatcher's route.
 *
 * Names, vars, the namespace and the dataset are read from the committed
 * wrangler.jsonc files (deploy/config.ts), so the two paths cannot drift apart.
 * Run it with `pnpm --filter tenantscope-alchemy run deploy` (see README.md here).
 */
import alchemy from "alchemy";
import {
  AnalyticsEngineDataset,
  Assets,
  DispatchNamespace,
  DurableObjectNamespace,
  KVNamespace,
  Worker,
} from "alchemy/cloudflare";
import { join } from "node:path";
import { productionSettings } from "./settings.ts";

if (!process.env.ALCHEMY_PASSWORD) {
  throw new Error("ALCHEMY_PASSWORD is not set: alchemy encrypts the dashboard's secrets in its state with it");
}
const app = await alchemy("tenantscope", {
  // alchemy keeps secrets encrypted in its state files with this password.
  password: process.env.ALCHEMY_PASSWORD,
});

// The dashboard's secrets (dashboard/wrangler.jsonc `secrets.required`), read
// first so that a missing one stops the run before anything is created.
const dashboardSecrets = {
  CF_ACCOUNT_ID: alchemy.secret.env("CF_ACCOUNT_ID", process.env.CF_ACCOUNT_ID ?? process.env.CLOUDFLARE_ACCOUNT_ID, "CF_ACCOUNT_ID (or CLOUDFLARE_ACCOUNT_ID) is not set"),
  CF_API_TOKEN: alchemy.secret.env("CF_API_TOKEN", undefined, "CF_API_TOKEN (an API token with Account Analytics Read) is not set"),
  DASHBOARD_USERS: alchemy.secret.env("DASHBOARD_USERS", undefined, "DASHBOARD_USERS (JSON list of dashboard users) is not set"),
  SESSION_SECRET: alchemy.secret.env("SESSION_SECRET", undefined, "SESSION_SECRET (32+ random characters) is not set"),
};

const tail = productionSettings("tenantscope-tail");
const dispatcher = productionSettings("tenantscope-dispatcher");
const dashboard = productionSettings("tenantscope-dashboard");
const alerts = productionSettings("tenantscope-alerts");

// adopt: the CLI (`pnpm tenantscope namespace create`) or a wrangler deploy may
// have made these already; alchemy then manages them instead of failing.
const namespace = await DispatchNamespace("tenants", {
  namespace: dispatcher.dispatchNamespace,
  adopt: true,
});
const plans = await KVNamespace("plans", { title: "tenantscope-plans", adopt: true });

const tailWorker = await Worker("tail", {
  name: tail.name,
  entrypoint: tail.main,
  compatibilityDate: tail.compatibilityDate,
  adopt: true,
  bindings: {
    ...tail.vars,
    INVOCATIONS: AnalyticsEngineDataset("invocations", { dataset: tail.dataset }),
    PLANS: plans,
  },
});

const platformDomain = process.env.TENANTSCOPE_PLATFORM_DOMAIN?.trim().toLowerCase();
const dispatcherWorker = await Worker("dispatcher", {
  name: dispatcher.name,
  entrypoint: dispatcher.main,
  compatibilityDate: dispatcher.compatibilityDate,
  adopt: true,
  // workers.dev answers with path and header routing before any domain is set up.
  url: true,
  bindings: {
    ...dispatcher.vars,
    ...(platformDomain ? { PLATFORM_DOMAIN: platformDomain } : {}),
    DISPATCHER: namespace,
    PLANS: plans,
  },
  // The zone is inferred from the pattern; every tenant subdomain reaches the dispatcher.
  routes: platformDomain ? [{ pattern: `*.${platformDomain}/*`, adopt: true }] : [],
});

// The alert evaluator (alerts/wrangler.jsonc): every minute, with its state in a SQLite
// Durable Object. Before the dashboard, whose ALERTS binding names it. Its links point
// at TENANTSCOPE_DASHBOARD_URL when set (the dashboard's URL is known only after it).
const dashboardUrl = process.env.TENANTSCOPE_DASHBOARD_URL?.trim().replace(/\/+$/, "");
const alertsWorker = await Worker("alerts", {
  name: alerts.name,
  entrypoint: alerts.main,
  compatibilityDate: alerts.compatibilityDate,
  adopt: true,
  crons: alerts.crons,
  bindings: {
    ...alerts.vars,
    ...(dashboardUrl ? { DASHBOARD_URL: dashboardUrl } : {}),
    PLANS: plans,
    STATE: DurableObjectNamespace("alert-state", { className: "AlertState", sqlite: true }),
    // The same Analytics Read token and account as the dashboard's.
    CF_ACCOUNT_ID: dashboardSecrets.CF_ACCOUNT_ID,
    CF_API_TOKEN: dashboardSecrets.CF_API_TOKEN,
  },
});

const dashboardWorker = await Worker("dashboard", {
  name: dashboard.name,
  entrypoint: dashboard.main,
  compatibilityDate: dashboard.compatibilityDate,
  adopt: true,
  url: true,
  bindings: {
    ...dashboard.vars,
    PLANS: plans,
    ALERTS: alertsWorker,
    ASSETS: await Assets({ path: join(dashboard.dir, "public") }),
    ...dashboardSecrets,
  },
});

// Optional: one demo tenant uploaded into the namespace, as in alchemy's
// DispatchNamespace docs, reporting to the Tail Worker like CLI uploads do.
if (process.env.TENANTSCOPE_DEMO_TENANT === "1") {
  await Worker("demo-hello", {
    name: "hello",
    entrypoint: join(tail.root, "examples", "hello", "index.js"),
    compatibilityDate: tail.compatibilityDate,
    namespace,
    tailConsumers: [tailWorker],
  });
}

console.log(`dispatcher: ${dispatcherWorker.url ?? "(no workers.dev URL)"}`);
console.log(`dashboard:  ${dashboardWorker.url ?? "(no workers.dev URL)"}`);
console.log(`PLANS KV id (TENANTSCOPE_PLANS_KV_ID for the CLI): ${plans.namespaceId}`);

await app.finalize();
