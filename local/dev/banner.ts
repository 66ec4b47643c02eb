/**
 * What `pnpm dev` prints once the stack is up: what runs where, the seeded tenants,
 * and commands to try. Humans get `localhost` URLs; curl and browsers resolve
 * `*.localhost` (Node's fetch does not, so Node clients use the path form).
 */
import { relative } from "node:path";
import type { SeededTenant } from "./seed.ts";
import type { Stack } from "./stack.ts";
import { REPO_ROOT } from "./options.ts";
import { cliCommand, demoCommand } from "./commands.ts";
import { PORT_FLAGS } from "./ports.ts";

export interface BannerInput {
  stack: Stack;
  startedMs: number;
  watching: boolean;
  /** How often the alert evaluator runs (0: never). */
  alertsIntervalMs?: number;
}

function forHumans(url: string): URL {
  const u = new URL(url);
  u.hostname = "localhost";
  return u;
}

function tenantUrl(dispatcher: URL, tenant: string, query = ""): string {
  return `http://${tenant}.${dispatcher.host}/${query}`;
}

const UPLOAD_NOTES: Record<SeededTenant["upload"], string> = {
  uploaded: "",
  updated: "; re-uploaded (examples/ changed)",
  unchanged: "; already up to date",
  kept: "; NOT replaced: the script under this name was uploaded through the API, not from examples/",
};

function planLabel(t: SeededTenant): string {
  const limits = t.limits === null ? "unknown plan" : `${t.limits.cpuMs} ms CPU, ${t.limits.subRequests} subrequests`;
  const how = t.planSource === "kept" ? ", kept from KV" : t.planSource === "default" ? ", dispatcher default" : "";
  return `${t.plan}: ${limits}${how}${UPLOAD_NOTES[t.upload]}`;
}

function tryLines(stack: Stack, dispatcher: URL, api: URL): string[] {
  const seeded = new Map((stack.seeded?.tenants ?? []).map((t) => [t.name, t]));
  const lines: [string, string][] = [];
  const add = (command: string, note: string): void => {
    lines.push([command, note]);
  };
  if (seeded.has("hello")) {
    add(`curl ${tenantUrl(dispatcher, "hello")}`, "subdomain routing");
    add(`curl ${dispatcher.origin}/hello/`, "path routing");
  }
  const burner = seeded.get("cpu-burner");
  if (burner?.limits) {
    add(`curl '${tenantUrl(dispatcher, "cpu-burner", "?ms=5")}'`, `within ${burner.plan}'s ${burner.limits.cpuMs} ms`);
    add(`curl '${tenantUrl(dispatcher, "cpu-burner", `?ms=${burner.limits.cpuMs * 4}`)}'`, "over the CPU limit → 503 cpu_limit_exceeded");
  }
  const fanout = seeded.get("fanout");
  if (fanout?.limits) {
    const n = fanout.limits.subRequests;
    add(`curl '${tenantUrl(dispatcher, "fanout", `?n=${Math.max(1, Math.floor(n / 2))}`)}'`, `${fanout.plan} allows ${n} subrequests`);
    add(`curl '${tenantUrl(dispatcher, "fanout", `?n=${n * 2}`)}'`, "→ 503 subrequest_limit_exceeded");
  }
  if (seeded.has("thrower")) add(`curl ${tenantUrl(dispatcher, "thrower")}`, "→ 500 tenant_exception with its message");
  if (seeded.has("chatty")) add(`curl '${tenantUrl(dispatcher, "chatty", "?lines=50")}'`, "logs 50 lines in this terminal");
  if (seeded.has("legacy-sw")) add(`curl ${tenantUrl(dispatcher, "legacy-sw")}`, "service-worker syntax upload");
  add(`curl ${tenantUrl(dispatcher, "nobody")}`, "→ 404 tenant_not_found");
  add(
    `curl -H 'Authorization: Bearer ${stack.apiToken}' ${api.origin}/client/v4/accounts/local/workers/dispatch/namespaces/${stack.namespace}/scripts`,
    "the namespace REST API",
  );
  add(
    `curl -H 'Authorization: Bearer ${stack.apiToken}' ${api.origin}/client/v4/accounts/local/analytics_engine/sql --data "SELECT blob1 AS tenant, blob4 AS outcome, SUM(_sample_interval * double1) AS n FROM tenant_invocations GROUP BY tenant, outcome FORMAT JSONEachRow"`,
    "invocations per tenant and outcome (README: a fuller query)",
  );
  const width = Math.min(72, Math.max(...lines.map(([c]) => c.length)));
  return lines.map(([command, note]) => `  ${command.padEnd(width)}  # ${note}`);
}

export function banner(input: BannerInput): string {
  const { stack } = input;
  const dispatcher = forHumans(stack.urls.dispatcher);
  const api = forHumans(stack.urls.api);
  const state = stack.persistTo === false ? "in memory" : relative(REPO_ROOT, stack.persistTo) || stack.persistTo;
  const out: string[] = [
    "",
    `tenantscope dev: one Miniflare instance (shared KV and Durable Objects), state in ${state}`,
    `  dispatcher   ${dispatcher.origin}/   (tenantscope-dispatcher, PLATFORM_DOMAIN=localhost)`,
    `  local API    ${api.origin}/client/v4   (tenantscope-local, Authorization: Bearer ${stack.apiToken})`,
    `  tenants      ${stack.supervisor.slots.length} tenant processes (workerd pids ${stack.supervisor.slots.map((s) => s.process.pid ?? "?").join(", ")}), one invocation at a time each: CPU from their own thread, a runaway is stopped at its limit`,
    `  tail         tenantscope-tail → local Analytics Engine (dataset tenant_invocations, SQL on the local API)`,
    ...Object.entries(stack.urls.extra).map(([name, url]) => `  ${name.padEnd(12)} ${forHumans(url).origin}/`),
    `  dashboard    ${forHumans(stack.urls.dashboard).origin}/   (tenantscope-dashboard, SQL → the local AE)`,
    `  alerts       tenantscope-alerts ${(input.alertsIntervalMs ?? 0) > 0 ? `every ${(input.alertsIntervalMs ?? 0) / 1000} s` : "not run (--alerts-interval 0)"}; webhook inbox ${api.origin}/_local/inbox/<webhook>`,
  ];
  if (stack.dashboardLogins.length > 0) {
    // The token rides in the fragment, which the browser never sends; the page's script signs in with it.
    const login = `${forHumans(stack.urls.dashboard).origin}/login`;
    out.push("", `dashboard sign-in (open a link and press "Sign in", or paste the token at ${login}; kept in ${state}/dashboard-logins.json):`);
    for (const l of stack.dashboardLogins) {
      const scope = l.tenant === null ? "all tenants" : `only tenant ${l.tenant}`;
      out.push(`  ${l.user.padEnd(14)} ${l.role.padEnd(9)} ${scope.padEnd(18)} ${login}#token=${l.token}`);
    }
  }
  if (stack.seeded !== null) {
    out.push("", `namespace ${stack.seeded.namespace} (${stack.seeded.namespaceState}), uploaded through the REST API:`);
    for (const t of stack.seeded.tenants) out.push(`  ${t.name.padEnd(12)} ${planLabel(t)}`);
  }
  const dispatcherPort = Number(new URL(stack.urls.dispatcher).port);
  const apiPort = Number(new URL(stack.urls.api).port);
  out.push(
    "",
    "Fill the dashboard with demo traffic (in another terminal):",
    `  ${demoCommand(dispatcherPort)}`,
    "The CLI against this stack:",
    `  ${cliCommand(apiPort, stack.apiToken, "script list")}`,
    `  ${cliCommand(apiPort, stack.apiToken, "tenant plan hello pro")}`,
  );
  const alerts = stack.alertSeed;
  if (alerts !== null) {
    const rule = alerts.rule.state === "deleted" ? `rule ${alerts.rule.id} was deleted, so the incident notifies nobody` : `rule ${alerts.rule.id} (${alerts.rule.state})`;
    out.push(
      `An alert end to end (${rule}; webhook ${alerts.webhook.id} → the local inbox, ${alerts.webhook.state}):`,
      `  ${demoCommand(dispatcherPort)}${dispatcherPort === PORT_FLAGS.dispatcher.defaultPort ? " --" : ""} --incident${apiPort === PORT_FLAGS.api.defaultPort ? "" : ` --api-url http://127.0.0.1:${apiPort}`}`,
      `  ${cliCommand(apiPort, stack.apiToken, "alert inbox --follow")}`,
    );
  }
  out.push("", "Try:", ...tryLines(stack, dispatcher, api), "");
  const seconds = (input.startedMs / 1000).toFixed(1);
  const watch = input.watching ? "watching the Workers' sources and examples/; " : "";
  out.push(`ready in ${seconds} s (${watch}Ctrl-C to stop)`);
  return out.join("\n");
}
