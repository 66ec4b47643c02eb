/**
 * Guarded tenant changes against the local stand-in (one Miniflare, in memory): a
 * tenant that is not in the namespace is refused unless forced, `tenant list` shows
 * what KV and the namespace know, and `tenant unassign` removes a record.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { cli as runCli, type CliResult } from "./helpers.ts";
import type { TenantRow } from "../src/commands/tenant-list.ts";

const HELLO = resolve(import.meta.dirname, "../../examples/hello");
let stack: Stack;

const cli = (...argv: string[]): Promise<CliResult> => runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api } }, ...argv);

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
