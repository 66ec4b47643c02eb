/**
 * Issue 13's support path end to end: a known mix of requests through the dispatcher
 * (exceptions of two messages across a script version change, a suspended tenant's
 * 403s, an unknown tenant's 404s, a CPU limit's 503) comes back through the
 * dashboard's JSON APIs as exactly those groups, counts, first/last seen, versions and
 * statuses; and the dashboard's Workers Logs query (the local telemetry stand-in)
 * gives the lines the tenant printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { LocalApiClient, uploadScript } from "../local/dev/seed.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { waitForInvocations } from "./ae.ts";

/** The parts of the dashboard's JSON this test reads (dashboard/src/queries/errors.ts, tenant.ts; the dashboard's types need its Worker globals). */
interface Group {
  id: string; tenant: string; name: string; code: string; messageKey: string; version: string; requests: number; share: number;
  firstSeen: string; lastSeen: string; dispatcher: boolean; startedWithVersion: boolean;
  statuses: { status: number; requests: number }[]; methods: { method: string }[]; logs: { lines: { level: string; text: string }[] };
}
interface ErrorsPage { errors: { groups: Group[] } }
interface TenantPage {
  errors: { groups: Group[] };
  usage: { versions: { version: string; isNew: boolean }[]; breakdown: { totals: { invocations: number; requests: number }; statuses: { status: number; requests: number }[] } };
}
interface LogsPage { events: { message: string; level: string }[] }

let stack: Stack;
let token = "";
const statuses: Record<string, number[]> = {};

const SHOP = (version: string) => `// ${version}
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    console.log("shop: handling " + path);
    if (path.startsWith("/order/")) throw new Error("order " + path.slice(7) + " failed to load");
    if (path.startsWith("/user/")) { console.warn("shop: no cart"); throw new TypeError("user " + path.slice(6) + " has no cart"); }
    return new Response("ok");
  },
};`;

async function send(label: string, path: string): Promise<void> {
  const res = await fetch(new URL(path, stack.urls.dispatcher));
  await res.text();
  (statuses[label] ??= []).push(res.status);
}

async function dashboard<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, stack.urls.dashboard), { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, persistTo: false, log: () => {} });
  token = stack.dashboardLogins.find((l) => l.user === "support")?.token ?? "";
  const api = new LocalApiClient(stack.urls.api, stack.apiToken);
  const upload = (version: string) => uploadScript(api, { namespace: stack.namespace, name: "shop", source: SHOP(version), format: "module", tailConsumers: ["tenantscope-tail"] });
  await api.expect("PUT", "/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/tenant%3Ahello", { body: JSON.stringify({ plan: "free", suspended: true }) });
  await api.expect("PUT", "/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/tenant%3Ashop", { body: JSON.stringify({ plan: "pro" }) });
  await upload("v1");
  for (let i = 1; i <= 3; i++) await send("order", `/shop/order/${i * 17}`);
  await send("ok", "/shop/");
  // A second upload is a new script version (the stand-in's etag).
  await new Promise((r) => setTimeout(r, 1100));
  await upload("v2");
  for (let i = 1; i <= 2; i++) await send("order", `/shop/order/${1000 + i}`);
  for (let i = 1; i <= 4; i++) await send("user", `/shop/user/${randomUUID()}`);
  await send("ok", "/shop/");
  for (let i = 0; i < 3; i++) await send("suspended", "/hello/");
  for (let i = 0; i < 2; i++) await send("unknown", "/no-such-tenant/");
  await send("cpu", "/cpu-burner/?ms=400");
  await waitForInvocations(stack, 12, 15_000);
  // Answers arrive through the dispatcher's own trace, after it answered: wait for all 5.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await dashboard<ErrorsPage>("/api/errors?range=1h");
    const answers = page.errors.groups.filter((g) => g.dispatcher).reduce((n, g) => n + g.requests, 0);
    if (answers >= 5 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await stack?.dispose();
});

describe("errors grouped, end to end", () => {
  it("the clients got 500s, 403s, 404s and a 503", () => {
    expect(statuses).toEqual({ order: [500, 500, 500, 500, 500], ok: [200, 200], user: [500, 500, 500, 500], suspended: [403, 403, 403], unknown: [404, 404], cpu: [503] });
  });

  it("comes back as exactly those groups, counts, versions and statuses", async () => {
    const page = await dashboard<ErrorsPage>("/api/errors?range=1h");
    const got = page.errors.groups.map((g) => ({ tenant: g.tenant, what: g.name || g.code, key: g.messageKey, requests: g.requests, statuses: g.statuses, methods: g.methods.map((m) => m.method), dispatcher: g.dispatcher }));
    expect(got).toEqual(expect.arrayContaining([
      { tenant: "shop", what: "TypeError", key: "user <uuid> has no cart", requests: 4, statuses: [{ status: 500, requests: 4 }], methods: ["GET"], dispatcher: false },
      { tenant: "shop", what: "Error", key: "order <n> failed to load", requests: 3, statuses: [{ status: 500, requests: 3 }], methods: ["GET"], dispatcher: false },
      { tenant: "hello", what: "tenant_suspended", key: 'Tenant "<str>" is suspended.', requests: 3, statuses: [{ status: 403, requests: 3 }], methods: ["GET"], dispatcher: true },
      { tenant: "shop", what: "Error", key: "order <n> failed to load", requests: 2, statuses: [{ status: 500, requests: 2 }], methods: ["GET"], dispatcher: false },
      { tenant: "no-such-tenant", what: "tenant_not_found", key: 'No tenant named "<str>" is deployed.', requests: 2, statuses: [{ status: 404, requests: 2 }], methods: ["GET"], dispatcher: true },
      { tenant: "cpu-burner", what: "cpu_limit_exceeded", key: "", requests: 1, statuses: [{ status: 503, requests: 1 }], methods: ["GET"], dispatcher: false },
    ]));
    expect(got).toHaveLength(6);
  });

  it("splits the order error by script version, with first/last seen and the new version marked", async () => {
    const t = await dashboard<TenantPage>("/api/tenants/shop?range=1h");
    const orders = t.errors.groups.filter((g) => g.messageKey === "order <n> failed to load");
    const [v1, v2] = [...orders].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
    expect([v1?.requests, v2?.requests]).toEqual([3, 2]);
    expect(v1?.version).not.toBe(v2?.version);
    expect(t.usage.versions.map((v) => [v.version, v.isNew])).toEqual([[v1?.version, false], [v2?.version, true]]);
    expect(v1 && v2 && v1.lastSeen <= v2.firstSeen).toBe(true);
    for (const g of t.errors.groups) expect(g.firstSeen <= g.lastSeen).toBe(true);
    expect([v1?.startedWithVersion, v2?.startedWithVersion]).toEqual([false, true]);
    const user = t.errors.groups.find((g) => g.name === "TypeError");
    expect(user?.version).toBe(v2?.version);
    expect(user?.logs.lines).toEqual([{ level: "log", text: expect.stringMatching(/^shop: handling \/user\//) }, { level: "warn", text: "shop: no cart" }]);
    // 11 invocations of shop; its share of the order (v1) group is 3 of 11.
    expect(t.usage.breakdown.totals.invocations).toBe(11);
    expect(v1?.share).toBeCloseTo(3 / 11, 6);
  });

  it("counts none of the dispatcher's answers as invocations, and bills none", async () => {
    const hello = await dashboard<TenantPage>("/api/tenants/hello?range=1h");
    expect(hello.usage.breakdown.totals).toMatchObject({ invocations: 0, requests: 3 });
    expect(hello.usage.breakdown.statuses).toEqual([{ status: 403, requests: 3 }]);
    const month = new Date().toISOString().slice(0, 7);
    const billingToken = stack.dashboardLogins.find((l) => l.user === "billing")?.token ?? "";
    const res = await fetch(new URL(`/api/billing?month=${month}`, stack.urls.dashboard), { headers: { authorization: `Bearer ${billingToken}` } });
    const billing = (await res.json()) as { rows: { tenant: string }[]; totals: { invocations: number } };
    expect(billing.totals.invocations).toBe(12);
    expect(billing.rows.map((r) => r.tenant).sort()).toEqual(["cpu-burner", "shop"]);
  });

  it("gives the raw rows of a group on demand", async () => {
    const page = await dashboard<ErrorsPage>("/api/errors?range=1h&tenant=hello");
    const id = page.errors.groups[0]?.id ?? "";
    const rows = await dashboard<{ rows: { status: number; dispatcher: boolean; requests: number }[] }>(`/api/errors/${id}?range=1h&tenant=hello`);
    expect(rows.rows.map((r) => [r.status, r.dispatcher, r.requests])).toEqual([[403, true, 1], [403, true, 1], [403, true, 1]]);
  });

  it("reads the lines the tenant printed through the Workers Logs query (local telemetry stand-in)", async () => {
    const logs = await dashboard<LogsPage>(`/api/tenants/shop/logs?at=${Math.floor(Date.now() / 1000)}`);
    const messages = logs.events.map((e) => e.message);
    expect(messages.filter((m) => m.startsWith("shop: handling /order/"))).toHaveLength(5);
    expect(messages.filter((m) => m === "shop: no cart")).toHaveLength(4);
    expect(logs.events.find((e) => e.message === "shop: no cart")?.level).toBe("warn");
    // Scoped to the tenant: no other tenant's lines.
    expect(messages.every((m) => m.startsWith("shop: "))).toBe(true);
  });
});
