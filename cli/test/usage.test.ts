/**
 * `usage export` against the local stand-in (one Miniflare, in memory): points imported
 * for a month with a plan change in the middle must come back as the raw
 * sampling-corrected counts, split by plan, per customer and tenant; periods AE cannot
 * answer are refused; and `script upload --customer` reaches the export through the
 * whole stack (upload → dispatcher → tail → AE → SQL API).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyRow, toDataPoint, type InvocationRow } from "@tenantscope/core/schema";
import type { UsageExport } from "@tenantscope/core/usage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../local/dev/stack.ts";
import { cli as runCli, uniqueName, type CliResult } from "./helpers.ts";

const DAY = 86_400_000;
let stack: Stack;
let dir: string;
const now = new Date();
const monthStart = (by: number): number => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + by, 1);
const label = (by: number): string => new Date(monthStart(by)).toISOString().slice(0, 7);

interface Point { at: number; si: number; row: Partial<InvocationRow> & { tenant: string } }

const ok = { outcome: "ok", violation: "none", eventType: "fetch", pointKind: "single", invocations: 1 } as const;
/** Two months ago: t1 and t2 belong to customer globex; t1 moves from free to pro on day 16; t3 has no tag. */
const base = monthStart(-2);
const POINTS: Point[] = [
  { at: base + 2 * DAY, si: 3, row: { tenant: "t1", customer: "globex", plan: "free", ...ok, cpuMs: 2, wallMs: 4 } },
  { at: base + 9 * DAY, si: 1, row: { tenant: "t1", customer: "globex", plan: "free", ...ok, outcome: "exception", invocations: 2, cpuMs: 5, wallMs: 9 } },
  { at: base + 16 * DAY, si: 4, row: { tenant: "t1", customer: "globex", plan: "pro", ...ok, cpuMs: 10, wallMs: 11 } },
  { at: base + 20 * DAY, si: 2, row: { tenant: "t2", customer: "globex", plan: "pro", ...ok, cpuMs: 1, wallMs: 1 } },
  { at: base + 21 * DAY, si: 1, row: { tenant: "t3", plan: "free", ...ok, cpuMs: 7, wallMs: 8 } },
  // Never billed: a dispatcher answer, and a point of the month after.
  { at: base + 5 * DAY, si: 9, row: { tenant: "t1", customer: "globex", pointKind: "dispatcher", invocations: 0, dispatcherAnswers: 1 } },
  { at: monthStart(-1), si: 50, row: { tenant: "t1", customer: "globex", plan: "pro", ...ok, cpuMs: 1, wallMs: 1 } },
];

const cli = (...argv: string[]): Promise<CliResult> => runCli({ env: { TENANTSCOPE_API_URL: stack.urls.api } }, ...argv);

async function exported(...argv: string[]): Promise<UsageExport> {
  const res = await cli("usage", "export", ...argv, "--format", "json");
  expect(res.code, `${argv.join(" ")}: ${res.err}`).toBe(0);
  return JSON.parse(res.out) as UsageExport;
}

beforeAll(async () => {
  stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  dir = await mkdtemp(join(tmpdir(), "tenantscope-usage-"));
  const lines = POINTS.map((p) => {
    const dp = toDataPoint({ ...emptyRow(), ...p.row });
    return JSON.stringify({ timestamp: new Date(p.at).toISOString(), _sample_interval: p.si, index1: dp.indexes[0], blobs: dp.blobs, doubles: dp.doubles });
  });
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/_import?dataset=tenant_invocations`, {
    method: "POST", headers: { authorization: `Bearer ${stack.apiToken}` }, body: lines.join("\n"),
  });
  if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
});

afterAll(async () => {
  await stack?.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("usage export", () => {
  it("gives the raw sampling-corrected counts per customer, tenant and plan, split at the plan change", async () => {
    const u = await exported("--month", label(-2));
    // By hand from POINTS: si × invocations (× the per-invocation double).
    expect(u.rows.map((r) => [r.customer, r.tenant, r.plan, r.invocations, r.ok, r.failed, r.cpuMs, r.wallMs])).toEqual([
      ["globex", "t1", "free", 3 + 2, 3, 2, 3 * 2 + 2 * 5, 3 * 4 + 2 * 9],
      ["globex", "t1", "pro", 4, 4, 0, 40, 44],
      ["globex", "t2", "pro", 2, 2, 0, 2, 2],
      ["t3", "t3", "free", 1, 1, 0, 7, 8],
    ]);
    expect(u.customers.map((c) => [c.customer, c.tenants, c.invocations])).toEqual([["globex", ["t1", "t2"], 11], ["t3", ["t3"], 1]]);
    expect(u.totals.invocations).toBe(12);
    expect(u.period).toMatchObject({ label: label(-2), start: new Date(base).toISOString().replace(".000Z", "Z"), complete: true });
    expect(u.dataset).toBe("tenant_invocations");
  });

  it("writes CSV with data rows only, and filters by customer", async () => {
    const res = await cli("usage", "export", "--month", label(-2), "--customer", "globex");
    expect(res.code, res.err).toBe(0);
    const lines = res.out.split("\r\n");
    expect(lines[0]).toBe("customer,tenant,plan,period_start,period_end,invocations,ok,failed,cpu_ms,wall_ms,first_seen,last_seen,exported_at,dataset");
    const period = `${new Date(base).toISOString().slice(0, 10)}T00:00:00Z,${new Date(monthStart(-1)).toISOString().slice(0, 10)}T00:00:00Z`;
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 8).join(","))).toEqual([`globex,t1,free,${period},5,3,2`, `globex,t1,pro,${period},4,4,0`, `globex,t2,pro,${period},2,2,0`]);
    expect(lines.slice(1).every((l) => l.endsWith(",tenant_invocations"))).toBe(true);
  });

  it("refuses a month that has not begun, one past retention, and bad arguments, with exit code 2", async () => {
    for (const [argv, reason] of [
      [["--month", label(1)], /has not begun/],
      [["--month", label(-4)], /keeps data for 3 months/],
      [["--month", "2026-13"], /--month must be YYYY-MM/],
      [[], /--month YYYY-MM is required/],
      [["--month", label(0), "--format", "xml"], /--format must be csv or json/],
      [["--month", label(0), "--customer", "a'b"], /invalid --customer/],
    ] as const) {
      const res = await cli("usage", "export", ...argv);
      expect(res.code, argv.join(" ")).toBe(2);
      expect(res.err).toMatch(reason);
    }
  });

  it("script upload --customer tags the script, and its invocations are billed to that customer", async () => {
    const ns = uniqueName("usage");
    expect((await cli("namespace", "create", ns)).code).toBe(0);
    await writeFile(join(dir, "w.js"), `export default { fetch() { return new Response("w"); } }`);
    const name = uniqueName("cust");
    const bad = await cli("script", "upload", name, join(dir, "w.js"), "--customer", "no way", "-n", ns);
    expect(bad.code).toBe(2);
    const up = await cli("script", "upload", name, join(dir, "w.js"), "--customer", "initech", "--tag", "team:x", "-n", ns);
    expect(up.code, up.err).toBe(0);
    const got = JSON.parse((await cli("script", "get", name, "-n", ns, "--json")).out) as { script: { tags: string[] } };
    expect(got.script.tags.sort()).toEqual(["customer:initech", "team:x"]);
    // Through the namespace the dispatcher serves.
    expect([0, 1]).toContain((await cli("namespace", "create", stack.namespace)).code);
    const tenant = uniqueName("billed");
    expect((await cli("script", "upload", tenant, join(dir, "w.js"), "--customer", "initech", "-n", stack.namespace)).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await fetch(`${stack.urls.dispatcher}/${tenant}/`)).status).toBe(200);
    let u = await exported("--month", label(0), "--customer", "initech");
    for (let tries = 0; u.totals.invocations < 3 && tries < 50; tries++) {
      await new Promise((done) => setTimeout(done, 100));
      u = await exported("--month", label(0), "--customer", "initech");
    }
    expect(u.rows.map((r) => [r.customer, r.tenant, r.invocations])).toEqual([["initech", tenant, 3]]);
  });
});
