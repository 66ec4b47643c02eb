/**
 * Guarded and audited tenant changes against the local stack (one Miniflare, in
 * memory): a tenant that is not in the namespace is refused unless forced, `tenant
 * list` shows what KV and the namespace know, `tenant unassign` removes a record, and
 * every CLI change lands in the one audit log the stack's dashboard shows too.
 */
import type { AuditEntry } from "@tenantscope/core/audit";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { cli as runCli, type CliResult } from "./helpers.ts";
import type { TenantRow } from "../src/commands/tenant-list.ts";

const HELLO = resolve(import.meta.dirname, "../../examples/hello");
let stack: Stack;

const cli = (...argv: string[]): Promise<CliResult> => runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api, TENANTSCOPE_ACTOR: "ci-bot" } }, ...argv);

/** The stack's dashboard, as its operator (the JSON API, bearer token). */
function dashboard(path: string, init: RequestInit = {}): Promise<Response> {
  const operator = stack.dashboardLogins.find((l) => l.role === "operator" && l.tenant === null);
  if (operator === undefined) throw new Error("no operator login in the stack");
  return fetch(`${stack.urls.dashboard}${path}`, { ...init, headers: { authorization: `Bearer ${operator.token}`, "content-type": "application/json" } });
}

/** A write straight to KV through the REST API, as `wrangler kv key put` does: behind tenantscope's back. */
async function directPut(key: string, value: string): Promise<void> {
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/${encodeURIComponent(key)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${stack.apiToken}` },
    body: value,
  });
  if (!res.ok) throw new Error(`direct KV write failed: ${res.status}`);
}

async function directDelete(key: string): Promise<void> {
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/${encodeURIComponent(key)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${stack.apiToken}` },
  });
  if (!res.ok) throw new Error(`direct KV delete failed: ${res.status}`);
}

async function ok(...argv: string[]): Promise<string> {
  const res = await cli(...argv);
  expect(res.code, `${argv.join(" ")}\n${res.err}`).toBe(0);
  return res.out;
}

beforeAll(async () => {
  stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  const created = await cli("namespace", "create", stack.namespace);
  if (created.code !== 0 && !created.err.includes("already exists")) throw new Error(created.err);
  await ok("script", "upload", "shop", HELLO);
});

afterAll(async () => {
  await stack?.dispose();
});

describe("guarded tenant changes", () => {
  it("refuses to assign or suspend a tenant that is not in the namespace, and writes nothing", async () => {
    const typo = await cli("tenant", "plan", "shopp", "pro");
    expect(typo.code).toBe(1);
    expect(typo.err).toContain(`tenant "shopp" is not in namespace "${stack.namespace}": nothing was written`);
    const suspend = await cli("tenant", "suspend", "shopp");
    expect(suspend.code).toBe(1);
    expect(suspend.err).toContain("--force");
    expect(await ok("tenant", "get", "shopp")).toContain("no tenant:shopp record");
    expect(await ok("tenant", "plan", "shop", "pro")).toBe("shop is on plan pro");
  });

  it("writes the record anyway with --force", async () => {
    expect(await ok("tenant", "plan", "ghost", "enterprise", "--force")).toBe("ghost is on plan enterprise");
    expect(await ok("tenant", "get", "ghost")).toBe("ghost: plan enterprise");
  });

  it("lists tenants of KV and the namespace, with a missing script and last traffic", async () => {
    expect((await fetch(`${stack.urls.dispatcher}/shop/`)).status).toBe(200);
    await ok("script", "upload", "quiet", HELLO);
    // The tail writes through the local AE; give it a moment to land.
    let rows: TenantRow[] = [];
    for (let i = 0; i < 50; i++) {
      rows = JSON.parse(await ok("tenant", "list", "--json")) as TenantRow[];
      if (rows.find((r) => r.tenant === "shop")?.lastTraffic) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    const byName = new Map(rows.map((r) => [r.tenant, r]));
    expect(byName.get("shop")).toMatchObject({ assignment: "kv", plan: "pro", suspended: false, scriptExists: true });
    expect(byName.get("shop")?.lastTraffic).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(byName.get("ghost")).toMatchObject({ assignment: "kv", plan: "enterprise", scriptExists: false, lastTraffic: null });
    expect(byName.get("quiet")).toMatchObject({ assignment: "default", plan: null, scriptExists: true, lastTraffic: null });
    const text = await ok("tenant", "list");
    expect(text).toMatch(/^ghost\s+enterprise\s+kv\s+no\s+MISSING\s+none in 92 days$/m);
    expect(text).toMatch(/^quiet\s+\(free\)\s+default/m);
  });

  it("unassigns a tenant, but not a suspended one without --force", async () => {
    await ok("tenant", "suspend", "shop");
    const held = await cli("tenant", "unassign", "shop");
    expect(held.code).toBe(1);
    expect(held.err).toContain("would lift the suspension");
    expect(await ok("tenant", "unassign", "shop", "--force")).toContain("shop unassigned (was plan pro, suspended)");
    expect(await ok("tenant", "get", "shop")).toContain("no tenant:shop record");
    expect((await fetch(`${stack.urls.dispatcher}/shop/`)).status).toBe(200);
    expect(await ok("tenant", "unassign", "shop")).toContain("nothing to remove");
  });
});

describe("one audit log", () => {
  it("records a CLI edit with who, via and its old value (the built-in one when there was no record), and the dashboard shows it", async () => {
    await ok("plan", "set", "pro", "--cpu-ms", "30");
    await ok("plan", "set", "pro", "--cpu-ms", "50");
    const entries = JSON.parse(await ok("audit", "list", "--key", "plan:pro", "--json")) as AuditEntry[];
    expect(entries.map((e) => [e.actor, e.via, e.old, e.oldSource, e.new, e.outside])).toEqual([
      ["ci-bot", "cli", '{"cpuMs":30,"subRequests":100}', "kv", '{"cpuMs":50,"subRequests":100}', false],
      ["ci-bot", "cli", '{"cpuMs":50,"subRequests":100}', "builtin", '{"cpuMs":30,"subRequests":100}', false],
    ]);
    const shown = (await (await dashboard("/api/audit?limit=100")).json()) as { entries: AuditEntry[] };
    expect(shown.entries.filter((e) => e.key === "plan:pro").map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect(await ok("audit", "list")).toMatch(/ci-bot\s+cli\s+plan:pro\s+\{"cpuMs":50,"subRequests":100\} \(built-in\)/);
  });

  it("sets a plan's price without touching its limits (and the reverse), audited, and refuses a bad amount", async () => {
    await ok("plan", "set", "gold", "--cpu-ms", "200", "--subrequests", "500");
    expect(await ok("plan", "set", "gold", "--price", "20", "--included-requests", "1000000", "--request-overage", "0.5")).toBe(
      "plan gold: cpuMs 200, subRequests 500, price $20/mo, +$0.5/M req over 1000000 (dispatchers pick up limits within their plan cache TTL)",
    );
    await ok("plan", "set", "gold", "--cpu-ms", "250");
    const rows = JSON.parse(await ok("plan", "list", "--json")) as { plan: string; cpuMs: number; price?: object }[];
    expect(rows.find((r) => r.plan === "gold")).toMatchObject({ cpuMs: 250, price: { monthly: 20, includedRequests: 1_000_000, perMillionRequests: 0.5, includedCpuMs: 0, perMillionCpuMs: 0 } });
    const [latest] = JSON.parse(await ok("audit", "list", "--key", "plan:gold", "--limit", "1", "--json")) as AuditEntry[];
    expect(latest?.old).toContain('"price":{"monthly":20');
    expect(latest?.new).toContain('"cpuMs":250');
    const bad = await cli("plan", "set", "gold", "--price=-1");
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('--price must be an amount of USD, 0 or more, got "-1"')]);
    const orphan = await cli("plan", "set", "gold", "--request-overage", "1");
    expect(orphan.err).toContain("give --price (USD a month) with the overage flags");
    await ok("plan", "set", "gold", "--no-price");
    expect(await ok("plan", "list")).toMatch(/^gold\s+250\s+500\s+-\s+kv$/m);
    const fresh = await cli("plan", "set", "silver", "--price", "5");
    expect(fresh.err).toContain('plan "silver" does not exist yet: give both --cpu-ms and --subrequests');
  });

  it("names a record deleted straight from KV, which leaves no entry, in the CLI and on the dashboard", async () => {
    await ok("plan", "set", "bronze", "--cpu-ms", "5", "--subrequests", "5");
    await directDelete("plan:bronze");
    const listed = await cli("audit", "list");
    expect(listed.code).toBe(0);
    expect(listed.err).toMatch(/warning: plan:bronze was deleted outside tenantscope \(last written by ci-bot via cli at \d{4}-/);
    const plans = (await (await dashboard("/api/plans")).json()) as { deleted: { key: string }[] };
    expect(plans.deleted.map((e) => e.key)).toContain("plan:bronze");
    // Written again through tenantscope, the record is no longer flagged.
    await ok("plan", "set", "bronze", "--cpu-ms", "5", "--subrequests", "5");
    const again = (await (await dashboard("/api/plans")).json()) as { deleted: { key: string }[] };
    expect(again.deleted.map((e) => e.key)).not.toContain("plan:bronze");
  });

  it("flags a direct KV write as changed outside tenantscope, in the lists, on the dashboard and in the next entry", async () => {
    await directPut("plan:pro", '{"cpuMs":5,"subRequests":100}');
    expect(await ok("plan", "list")).toMatch(/^pro\s+5\s+100\s+-\s+kv \(overrides builtin\), changed outside tenantscope$/m);
    const plans = (await (await dashboard("/api/plans")).json()) as { plans: { plan: string; outside?: boolean }[] };
    expect(plans.plans.find((p) => p.plan === "pro")?.outside).toBe(true);
    expect(plans.plans.find((p) => p.plan === "free")?.outside).toBeUndefined();
    await ok("plan", "set", "pro", "--cpu-ms", "50");
    const [latest] = JSON.parse(await ok("audit", "list", "--key", "plan:pro", "--limit", "1", "--json")) as AuditEntry[];
    expect(latest).toMatchObject({ old: '{"cpuMs":5,"subRequests":100}', oldSource: "kv", outside: true, new: '{"cpuMs":50,"subRequests":100}' });
    expect(await ok("plan", "list")).toMatch(/^pro\s+50\s+100\s+-\s+kv \(overrides builtin\)$/m);

    await directPut("tenant:quiet", '{"plan":"enterprise"}');
    const rows = JSON.parse(await ok("tenant", "list", "--json")) as TenantRow[];
    expect(rows.find((r) => r.tenant === "quiet")).toMatchObject({ assignment: "kv", plan: "enterprise", changedOutside: true });
    expect(rows.find((r) => r.tenant === "ghost")).toMatchObject({ changedOutside: false });
  });

  it("audits unassign as a deletion, and the stack's dashboard refuses a tenant that is not in the namespace", async () => {
    await ok("tenant", "unassign", "ghost");
    const [gone] = JSON.parse(await ok("audit", "list", "--key", "tenant:ghost", "--limit", "1", "--json")) as AuditEntry[];
    expect(gone).toMatchObject({ old: '{"plan":"enterprise"}', new: null, via: "cli" });
    const typo = await dashboard("/api/tenants/shopp/assignment", { method: "PUT", body: JSON.stringify({ plan: "pro" }) });
    expect(typo.status).toBe(409);
    expect(((await typo.json()) as { error: { message: string } }).error.message).toContain(`not in the dispatch namespace "${stack.namespace}"`);
    const shop = await dashboard("/api/tenants/quiet/assignment", { method: "PUT", body: JSON.stringify({ plan: "pro" }) });
    expect(shop.status).toBe(200);
    const [entry] = JSON.parse(await ok("audit", "list", "--key", "tenant:quiet", "--limit", "1", "--json")) as AuditEntry[];
    expect(entry).toMatchObject({ via: "dashboard", old: '{"plan":"enterprise"}', outside: true, new: '{"plan":"pro"}' });
  });
});
