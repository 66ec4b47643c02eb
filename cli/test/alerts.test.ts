/**
 * `tenantscope alert …` against the local stack (one Miniflare, in memory): rules and
 * webhooks in the plans KV in core's formats, every change in the one audit log, bad
 * values refused with the flag to fix, and a webhook's secret never printed or audited.
 */
import type { AuditEntry } from "@tenantscope/core/audit";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { cli as runCli, type CliResult } from "./helpers.ts";

let stack: Stack;
let dir: string;

const SECRET_ENV = "HOOK_SECRET_FOR_TEST";
const ENV_SECRET = "s3cret-from-the-environment-0123";
const cli = (...argv: string[]): Promise<CliResult> =>
  runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api, TENANTSCOPE_ACTOR: "ci-bot", [SECRET_ENV]: ENV_SECRET } }, ...argv);

async function ok(...argv: string[]): Promise<string> {
  const res = await cli(...argv);
  expect(res.code, `${argv.join(" ")}\n${res.err}`).toBe(0);
  return res.out;
}

async function json<T>(...argv: string[]): Promise<T> {
  return JSON.parse(await ok(...argv, "--json")) as T;
}

async function refused(argv: string[], message: string, code = 2): Promise<void> {
  const res = await cli(...argv);
  expect(res.code, argv.join(" ")).toBe(code);
  expect(res.err, argv.join(" ")).toContain(message);
}

const kvUrl = (key: string): string => `${stack.urls.api}/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/${encodeURIComponent(key)}`;

async function kvGet(key: string): Promise<string | null> {
  const res = await fetch(kvUrl(key), { headers: { authorization: `Bearer ${stack.apiToken}` } });
  return res.status === 404 ? null : res.text();
}

beforeAll(async () => {
  stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  dir = await mkdtemp(join(tmpdir(), "tenantscope-alert-"));
});

afterAll(async () => {
  await stack?.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("alert rules", () => {
  it("creates a rule from flags, lists, shows and audits it in core's record format", async () => {
    const out = await ok("alert", "set", "errors", "--name", "Error rate", "--scope", "all", "--when", "error_rate", "--window", "5", "--threshold", "0.2", "--min", "20");
    expect(out).toBe("rule errors created: all tenants: error rate ≥ 20 % over 5 min (at least 20 invocations); cooldown 60 min; no webhooks (the evaluator reads it at its next run)");
    const record = JSON.parse((await kvGet("alert:errors")) ?? "null") as unknown;
    const expected = { id: "errors", name: "Error rate", scope: { kind: "all" }, condition: { kind: "error_rate", windowMinutes: 5, threshold: 0.2, minInvocations: 20 }, cooldownMinutes: 60, webhooks: [], enabled: true };
    expect(record).toEqual(expected);
    expect(await json("alert", "show", "errors")).toEqual(expected);
    expect(await ok("alert", "list")).toMatch(/^errors\s+yes\s+all tenants\s+error rate ≥ 20 % over 5 min \(at least 20 invocations\)\s+60 min\s+-$/m);
    const [entry] = await json<AuditEntry[]>("audit", "list", "--key", "alert:errors");
    expect(entry).toMatchObject({ actor: "ci-bot", via: "cli", action: "alert", key: "alert:errors", old: null, oldSource: "none", new: JSON.stringify(expected) });
  });

  it("changes one field and keeps the rest; a new --when starts a fresh condition", async () => {
    await ok("alert", "set", "cap", "--scope", "plan:pro", "--when", "quota", "--metric", "invocations", "--amount", "1000", "--period", "3600", "--stop");
    await ok("alert", "set", "cap", "--amount", "5000", "--cooldown", "30", "--disable");
    expect(await json("alert", "show", "cap")).toMatchObject({
      scope: { kind: "plan", value: "pro" },
      condition: { kind: "quota", metric: "invocations", amount: 5000, periodSeconds: 3600, onForecast: false, stop: true },
      cooldownMinutes: 30,
      enabled: false,
    });
    await ok("alert", "set", "cap", "--when", "change", "--metric", "errors", "--window", "10", "--factor", "10", "--baseline", "median_7d");
    expect((await json<{ condition: unknown }>("alert", "show", "cap")).condition).toEqual({ kind: "change", metric: "errors", windowMinutes: 10, factor: 10, baseline: "median_7d", minInvocations: 1 });
  });

  it("takes a whole rule from --file, with flags on top", async () => {
    const file = join(dir, "rule.json");
    await writeFile(file, JSON.stringify({ name: "CPU", scope: { kind: "customer", value: "acme" }, condition: { kind: "cpu_p95", windowMinutes: 15, share: 0.8, minInvocations: 50 } }));
    await ok("alert", "set", "cpu", "--file", file, "--share", "0.9");
    expect(await json("alert", "show", "cpu")).toMatchObject({ name: "CPU", scope: { kind: "customer", value: "acme" }, condition: { kind: "cpu_p95", share: 0.9, windowMinutes: 15 } });
  });

  it("refuses bad values with the flag to fix, and writes nothing", async () => {
    await refused(["alert", "set", "bad", "--scope", "all", "--when", "error_rate", "--window", "5", "--threshold", "2"], "threshold must be a number above 0 and at most 1 (--threshold)");
    await refused(["alert", "set", "bad", "--scope", "all", "--when", "quota", "--metric", "invocations", "--amount", "10", "--threshold", "0.5"], "--threshold does not apply to this kind of rule");
    await refused(["alert", "set", "bad", "--scope", "all", "--when", "error_rate", "--window", "five", "--threshold", "0.2"], '--window must be a number, got "five"');
    await refused(["alert", "set", "bad", "--scope", "everyone", "--when", "error_rate"], "--scope must be all, tenant:<name>");
    await refused(["alert", "set", "bad", "--scope", "all"], "say what it fires on with --when");
    await refused(["alert", "set", "bad", "--scope", "all", "--when", "quota", "--metric", "invocations", "--amount", "10", "--period", "weekly"], '--period must be "month" or whole seconds');
    await refused(["alert", "set", "Bad_Id", "--scope", "all", "--when", "error_rate"], 'invalid rule id "Bad_Id"');
    await refused(["alert", "set", "bad", "--scope", "all", "--when", "error_rate", "--window", "5", "--threshold", "0.2", "--webhook", "nowhere"], 'there is no webhook "nowhere"', 1);
    await ok("namespace", "create", "alerts-ns");
    await refused(["alert", "set", "bad", "--scope", "tenant:ghost", "--when", "error_rate", "--window", "5", "--threshold", "0.2", "-n", "alerts-ns"], 'tenant "ghost" is not in namespace "alerts-ns"', 1);
    await refused(["alert", "set", "bad", "--scope", "plan:platinum", "--when", "error_rate", "--window", "5", "--threshold", "0.2"], 'unknown plan "platinum"', 1);
    expect(await kvGet("alert:bad")).toBeNull();
    expect(await json<AuditEntry[]>("audit", "list", "--key", "alert:bad")).toEqual([]);
  });

  it("deletes a rule, audited", async () => {
    await ok("alert", "set", "gone", "--scope", "all", "--when", "error_rate", "--window", "5", "--threshold", "0.5");
    expect(await ok("alert", "delete", "gone")).toBe("rule gone deleted");
    expect(await kvGet("alert:gone")).toBeNull();
    expect(await ok("alert", "delete", "gone")).toContain("nothing to delete");
    const [entry] = await json<AuditEntry[]>("audit", "list", "--key", "alert:gone");
    expect(entry).toMatchObject({ action: "alert", new: null });
  });
});

describe("webhooks", () => {
  it("generates a secret into a new 0600 file and never prints or audits it", async () => {
    const file = join(dir, "ops.secret");
    const res = await cli("alert", "webhook-set", "ops", "--url", "https://hooks.example.com/in?token=abc", "--generate-secret", file);
    expect(res.code, res.err).toBe(0);
    const secret = (await readFile(file, "utf8")).trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse((await kvGet("webhook:ops")) ?? "null")).toEqual({ id: "ops", url: "https://hooks.example.com/in?token=abc", format: "json", secret });
    const printed = [res.out, res.err, await ok("alert", "webhooks"), await ok("alert", "webhook", "ops", "--json"), await ok("audit", "list", "--json")].join("\n");
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain("token=abc");
    expect(await json("alert", "webhook", "ops")).toEqual({ id: "ops", url: "https://hooks.example.com/in", format: "json", secret: "set (64 characters)" });
    // Generating never overwrites a file that may hold another secret.
    await refused(["alert", "webhook-set", "ops", "--generate-secret", file], "cannot write the new secret", 1);
  });

  it("reads a secret from an environment variable or a file, keeps it on other changes, and audits without it", async () => {
    await ok("alert", "webhook-set", "slack", "--url", "https://hooks.slack.example/T1", "--format", "slack", "--secret-env", SECRET_ENV);
    expect(JSON.parse((await kvGet("webhook:slack")) ?? "null")).toMatchObject({ format: "slack", secret: ENV_SECRET });
    await ok("alert", "webhook-set", "slack", "--url", "https://hooks.slack.example/T2");
    expect(JSON.parse((await kvGet("webhook:slack")) ?? "null")).toMatchObject({ url: "https://hooks.slack.example/T2", secret: ENV_SECRET });
    const file = join(dir, "slack.secret");
    await writeFile(file, "another-secret-of-enough-length\n");
    await ok("alert", "webhook-set", "slack", "--secret-file", file);
    expect(JSON.parse((await kvGet("webhook:slack")) ?? "null")).toMatchObject({ secret: "another-secret-of-enough-length" });
    const entries = await json<AuditEntry[]>("audit", "list", "--key", "webhook:slack");
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e.action).toBe("webhook");
      expect(`${e.old ?? ""} ${e.new ?? ""}`).not.toMatch(/s3cret|another-secret/);
    }
    expect(JSON.parse(entries[0]?.new ?? "null")).toMatchObject({ secret: "set (31 characters)" });
  });

  it("refuses a bad webhook before writing it", async () => {
    await refused(["alert", "webhook-set", "new", "--url", "https://x.example"], "give its secret");
    await refused(["alert", "webhook-set", "new", "--url", "ftp://x.example", "--secret-env", SECRET_ENV], "url must be an http or https URL");
    await refused(["alert", "webhook-set", "new", "--url", "https://x.example", "--secret-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE (--secret-env) is not set");
    await refused(["alert", "webhook-set", "new", "--url", "https://x.example", "--secret", "inline"], "Unknown option");
    const short = join(dir, "short.secret");
    await writeFile(short, "tiny");
    await refused(["alert", "webhook-set", "new", "--url", "https://x.example", "--secret-file", short], "secret must be 16 to 256 characters");
    expect(await kvGet("webhook:new")).toBeNull();
  });

  it("refuses to delete a webhook a rule notifies, unless forced", async () => {
    await ok("alert", "webhook-set", "pager", "--url", "https://pager.example/in", "--secret-env", SECRET_ENV);
    await ok("alert", "set", "paged", "--scope", "all", "--when", "error_rate", "--window", "5", "--threshold", "0.5", "--webhook", "pager");
    expect(await json<{ id: string; rules: string[] }[]>("alert", "webhooks")).toContainEqual(expect.objectContaining({ id: "pager", rules: ["paged"] }));
    await refused(["alert", "webhook-delete", "pager"], "rules paged notify webhook", 1);
    expect(await ok("alert", "webhook-delete", "pager", "--force")).toBe("webhook pager deleted");
    expect(await kvGet("webhook:pager")).toBeNull();
  });
});

describe("quota stops", () => {
  it("a plan change keeps a stop; alert lift removes it, audited", async () => {
    const stop = { until: "2099-01-01T00:00:00.000Z", rule: "cap" };
    await fetch(kvUrl("tenant:stopped"), { method: "PUT", headers: { authorization: `Bearer ${stack.apiToken}` }, body: JSON.stringify({ plan: "free", stop }) });
    await ok("tenant", "plan", "stopped", "pro", "--force");
    expect(JSON.parse((await kvGet("tenant:stopped")) ?? "null")).toEqual({ plan: "pro", stop });
    expect(await ok("tenant", "get", "stopped")).toBe("stopped: plan pro, stopped by quota rule cap until 2099-01-01T00:00:00.000Z");
    expect(await ok("alert", "lift", "stopped")).toContain("the stop by rule cap (until 2099-01-01T00:00:00.000Z) is lifted");
    expect(JSON.parse((await kvGet("tenant:stopped")) ?? "null")).toEqual({ plan: "pro" });
    expect(await ok("alert", "lift", "stopped")).toBe("stopped is not stopped by a quota rule");
    const [entry] = await json<AuditEntry[]>("audit", "list", "--key", "tenant:stopped");
    expect(entry).toMatchObject({ actor: "ci-bot", action: "assignment", new: '{"plan":"pro"}' });
  });
});

describe("what the evaluator saw, through the dashboard", () => {
  const operator = (): string => stack.dashboardLogins.find((l) => l.role === "operator" && l.tenant === null)?.token ?? "";
  const viaDashboard = (token: string, ...argv: string[]): Promise<CliResult> =>
    runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api, TENANTSCOPE_DASHBOARD_URL: stack.urls.dashboard, TENANTSCOPE_DASHBOARD_TOKEN: token } }, ...argv);

  it("needs an operator's dashboard token, and says where to find one", async () => {
    const res = await viaDashboard("", "alert", "status");
    expect(res.code).toBe(1);
    expect(res.err).toContain("set TENANTSCOPE_DASHBOARD_TOKEN");
    const wrong = await viaDashboard("not-a-token", "alert", "status");
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("401");
  });

  it("shows the last run, what fires, and the deliveries", async () => {
    const dash = (path: string): Promise<Response> => fetch(`${stack.urls.dashboard}${path}`, { method: "POST", headers: { authorization: `Bearer ${operator()}` } });
    await ok("alert", "webhook-set", "inboxed", "--url", `${stack.urls.api}/_local/inbox/inboxed`, "--secret-env", SECRET_ENV);
    expect((await dash("/api/alerts/evaluate")).status).toBe(200);
    expect((await dash("/api/alerts/webhooks/inboxed/test")).status).toBe(200);
    const status = await viaDashboard(operator(), "alert", "status");
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/^last run \S+: \d+ rules over \d+ tenants, \d+ SQL queries, [\d.]+ ms\nnothing is firing$/);
    const history = await viaDashboard(operator(), "alert", "history", "--json");
    expect(history.code, history.err).toBe(0);
    const parsed = JSON.parse(history.out) as { deliveries: { webhook: string; event: string; status: string }[] };
    expect(parsed.deliveries).toContainEqual(expect.objectContaining({ webhook: "inboxed", event: "test", status: "delivered" }));
    expect(history.out).not.toContain(ENV_SECRET);
  });
});
