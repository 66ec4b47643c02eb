/**
 * `pnpm run deploy`: the Tail Worker, the dispatcher, the alert evaluator and the dashboard to Cloudflare,
 * with wrangler and the committed production configs, in that order. README
 * "Deploy to Cloudflare" walks through the whole setup; deploy/README.md lists
 * every variable. Secrets are read from the environment and never printed.
 *
 *   pnpm run deploy              deploy (needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID)
 *   pnpm run deploy --dry-run    build and check what would be uploaded, offline
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConfig, requiredSecrets, writeDeployConfig, type DeployValues } from "./config.ts";
import { ensurePlansNamespace, type Credentials } from "./kv.ts";
import { planSecrets, writeSecretsFile } from "./secrets.ts";
import { runWrangler, wranglerEnv } from "./wrangler.ts";
import { ROOT, PLANS_KV_TITLE, WORKERS } from "./workers.ts";

class DeployError extends Error {}

const present = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function credentials(env: NodeJS.ProcessEnv): Credentials {
  const token = present(env.CLOUDFLARE_API_TOKEN);
  const accountId = present(env.CLOUDFLARE_ACCOUNT_ID);
  const missing = [token === undefined ? "CLOUDFLARE_API_TOKEN" : null, accountId === undefined ? "CLOUDFLARE_ACCOUNT_ID" : null].filter((m) => m !== null);
  if (token === undefined || accountId === undefined) {
    throw new DeployError(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set.\n` +
        "  export CLOUDFLARE_ACCOUNT_ID=<your account id>   (dashboard → Workers & Pages → Account details)\n" +
        "  export CLOUDFLARE_API_TOKEN=<an API token>        (permissions: README \"Deploy to Cloudflare\", step 1)\n" +
        "Or check the build offline first: pnpm run deploy --dry-run",
    );
  }
  const apiBase = (present(env.CLOUDFLARE_API_BASE_URL) ?? "https://api.cloudflare.com").replace(/\/+$/, "").replace(/\/client\/v4$/, "");
  return { accountId, token, apiBase };
}

/** TENANTSCOPE_DASHBOARD_URL: where alert notifications link to (the evaluator's DASHBOARD_URL). */
function dashboardUrlValue(env: NodeJS.ProcessEnv): Pick<DeployValues, "dashboardUrl"> {
  const raw = present(env.TENANTSCOPE_DASHBOARD_URL);
  if (raw === undefined) return {};
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DeployError(`TENANTSCOPE_DASHBOARD_URL is not a URL: "${raw}"`);
  }
  if (url.protocol !== "https:" || url.search !== "" || url.hash !== "") throw new DeployError(`TENANTSCOPE_DASHBOARD_URL must be an https URL without query or fragment, got "${raw}"`);
  return { dashboardUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, "") };
}

function routeValues(env: NodeJS.ProcessEnv): Pick<DeployValues, "platformDomain" | "zone"> {
  const domain = present(env.TENANTSCOPE_PLATFORM_DOMAIN)?.toLowerCase();
  if (domain === undefined) return {};
  if (!DOMAIN.test(domain)) throw new DeployError(`TENANTSCOPE_PLATFORM_DOMAIN is not a hostname: "${domain}"`);
  // A guess that is right for example.com-style zones; TENANTSCOPE_ZONE overrides it.
  const zone = present(env.TENANTSCOPE_ZONE)?.toLowerCase() ?? domain.split(".").slice(-2).join(".");
  if (!DOMAIN.test(zone) || !(domain === zone || domain.endsWith(`.${zone}`))) {
    throw new DeployError(`TENANTSCOPE_ZONE "${zone}" must be the zone that contains ${domain}`);
  }
  return { platformDomain: domain, zone };
}

async function main(argv: readonly string[]): Promise<void> {
  const dryRun = argv.includes("--dry-run");
  const unknown = argv.filter((a) => a !== "--dry-run");
  if (unknown.length > 0) throw new DeployError(`unknown argument ${unknown.join(" ")} (the only flag is --dry-run)`);
  const env = process.env;
  const creds = dryRun ? null : credentials(env);
  const route = routeValues(env);
  const links = dashboardUrlValue(env);

  let plansKvId = present(env.TENANTSCOPE_PLANS_KV_ID);
  if (plansKvId !== undefined) {
    console.log(`KV: PLANS is ${plansKvId} (TENANTSCOPE_PLANS_KV_ID)`);
  } else if (creds === null) {
    plansKvId = "0".repeat(32);
    console.log("KV: PLANS gets a placeholder id in a dry run");
  } else {
    const kv = await ensurePlansNamespace(creds);
    plansKvId = kv.id;
    console.log(`KV: ${kv.created ? "created" : "found"} "${PLANS_KV_TITLE}" = ${kv.id}`);
  }
  console.log(
    route.platformDomain === undefined
      ? "Route: none (set TENANTSCOPE_PLATFORM_DOMAIN for *.<domain>/*); the dispatcher answers on workers.dev"
      : `Route: *.${route.platformDomain}/* in zone ${route.zone ?? "?"} → tenantscope-dispatcher`,
  );

  console.log(links.dashboardUrl === undefined ? "Alert links: relative (set TENANTSCOPE_DASHBOARD_URL to the dashboard's URL)" : `Alert links: ${links.dashboardUrl}`);

  const work = mkdtempSync(join(tmpdir(), "tenantscope-deploy-"));
  try {
    const wenv = wranglerEnv(env, { credentials: !dryRun, logDir: join(work, "logs") });
    for (const worker of WORKERS) {
      console.log(`\n== ${worker.name} (${worker.dir}/wrangler.jsonc)${dryRun ? " [dry run]" : ""}`);
      const args = ["deploy", "--config", writeDeployConfig(work, worker, { plansKvId, ...route, ...links })];
      if (dryRun) args.push("--dry-run", "--outdir", join(work, `${worker.name}-out`));
      const secrets = planSecrets(requiredSecrets(readConfig(worker)), env);
      if (secrets.supplied.length > 0) {
        console.log(`secrets from the environment: ${secrets.supplied.join(", ")}`);
        args.push("--secrets-file", writeSecretsFile(work, worker.name, secrets));
      }
      if (secrets.inherited.length > 0) console.log(`secrets kept as set on Cloudflare: ${secrets.inherited.join(", ")}`);
      const run = await runWrangler(args, { cwd: ROOT, env: wenv, echo: true });
      if (run.code !== 0) {
        const hint = /required secrets have not been set/.test(run.output)
          ? `\nA first deploy needs every required secret: export ${secrets.inherited.join(", ")} (README "Deploy to Cloudflare", step 4) and run pnpm run deploy again.`
          : "";
        const done = WORKERS.slice(0, WORKERS.indexOf(worker)).map((w) => w.name);
        throw new DeployError(`wrangler deploy of ${worker.name} failed (exit ${run.code}).${done.length > 0 ? ` Already deployed: ${done.join(", ")}.` : ""}${hint}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    dryRun
      ? "\nDry run complete: nothing was uploaded."
      : `\nDeployed ${WORKERS.map((w) => w.name).join(", ")}.\nFor the CLI's plan and tenant commands: export TENANTSCOPE_PLANS_KV_ID=${plansKvId}`,
  );
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // DeployError messages are ours; anything else (network, API) is shown as-is,
  // and none of them ever contain the token.
  console.error(`deploy: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
