/**
 * Issue 4's end-to-end path: requests through the dispatcher → tenants in the
 * local namespace → their traces → the Tail Worker → the local Analytics Engine →
 * the SQL API. N requests of known outcomes must come back as exactly N
 * invocations, with the right outcomes, violations, plans and limits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATASET, col, sampledCount, sampledSum } from "@tenantscope/core/schema";
import { sql as stackSql, storedInvocations, waitForInvocations } from "./ae.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";

let stack: Stack;

/** The requests, and what each must become. `null`: never reaches a tenant. */
const PLAN: { path: string; times: number; tenant: string | null; outcome: string; violation: string }[] = [
  { path: "/hello/", times: 5, tenant: "hello", outcome: "ok", violation: "none" },
  { path: "/cpu-burner/?ms=400", times: 2, tenant: "cpu-burner", outcome: "exceededCpu", violation: "cpu" },
  { path: "/fanout/?n=20", times: 2, tenant: "fanout", outcome: "exception", violation: "subrequests" },
  { path: "/fanout/?n=2", times: 2, tenant: "fanout", outcome: "ok", violation: "none" },
  { path: "/thrower/", times: 3, tenant: "thrower", outcome: "exception", violation: "none" },
  { path: "/chatty/?lines=2", times: 2, tenant: "chatty", outcome: "ok", violation: "none" },
  { path: "/legacy-sw/", times: 1, tenant: "legacy-sw", outcome: "ok", violation: "none" },
  { path: "/no-such-tenant/", times: 2, tenant: null, outcome: "", violation: "" },
];
const N = PLAN.filter((p) => p.tenant !== null).reduce((sum, p) => sum + p.times, 0);

function sql<Row>(text: string) {
  return stackSql<Row>(stack, text);
}

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, persistTo: false, log: () => {} });
  // Hello is usually on free (10 ms); a scheduling stall on a loaded machine can
  // push it past that after the fact, so here it runs on pro.
  const kv = `${stack.urls.api}/client/v4/accounts/local/storage/kv/namespaces/tenantscope-plans/values/tenant%3Ahello`;
  const put = await fetch(kv, { method: "PUT", body: JSON.stringify({ plan: "pro" }), headers: { authorization: `Bearer ${stack.apiToken}` } });
  if (put.status !== 200) throw new Error(`assigning hello to pro answered ${put.status}: ${await put.text()}`);
  for (const step of PLAN) {
    for (let i = 0; i < step.times; i++) await (await fetch(new URL(step.path, stack.urls.dispatcher))).text();
  }
  // Traces arrive after each invocation ends; wait (bounded) until all are in.
  await waitForInvocations(stack, N, 15_000);
});

afterAll(async () => {
  await stack?.dispose();
});

describe("every invocation lands in Analytics Engine", () => {
  it("records exactly N invocations, and no invocation for requests that reach no tenant", async () => {
    expect(await storedInvocations(stack)).toBe(N);
    await new Promise((r) => setTimeout(r, 300));
    expect(await storedInvocations(stack)).toBe(N);
  });

  it("has the right outcome counts per tenant", async () => {
    const answer = await sql<{ tenant: string; outcome: string; n: number }>(
      `SELECT ${col("tenant")} AS tenant, ${col("outcome")} AS outcome, ${sampledCount()} AS n
       FROM ${DATASET} WHERE ${col("pointKind")} != 'dispatcher' GROUP BY tenant, outcome ORDER BY tenant, outcome`);
    const expected = new Map<string, number>();
    for (const step of PLAN) {
      if (step.tenant === null) continue;
      const key = `${step.tenant}/${step.outcome}`;
      expected.set(key, (expected.get(key) ?? 0) + step.times);
    }
    expect(Object.fromEntries(answer.data.map((r) => [`${r.tenant}/${r.outcome}`, Number(r.n)])))
      .toEqual(Object.fromEntries(expected));
  });

  it("records each violation with its kind, the plan and the limit in force", async () => {
    const answer = await sql<{ tenant: string; violation: string; plan: string; cpuLimit: number; subLimit: number; n: number; cpu: number }>(
      `SELECT ${col("tenant")} AS tenant, ${col("violation")} AS violation, ${col("plan")} AS plan,
              ${col("cpuLimitMs")} AS cpuLimit, ${col("subrequestLimit")} AS subLimit,
              ${sampledCount()} AS n, min(${col("cpuMs")}) AS cpu
       FROM ${DATASET} WHERE ${col("violation")} != 'none'
       GROUP BY tenant, violation, plan, cpuLimit, subLimit ORDER BY tenant`);
    expect(answer.data.map((r) => ({ ...r, n: Number(r.n), cpu: undefined }))).toEqual([
      { tenant: "cpu-burner", violation: "cpu", plan: "pro", cpuLimit: 50, subLimit: 100, n: 2, cpu: undefined },
      { tenant: "fanout", violation: "subrequests", plan: "free", cpuLimit: 10, subLimit: 10, n: 2, cpu: undefined },
    ]);
    // The CPU the stand-in measured is past the limit that was enforced.
    expect(Number(answer.data[0]?.cpu)).toBeGreaterThan(50);
  });

  it("records plans, namespace, event type, method and status as the dispatcher applied them", async () => {
    const answer = await sql<{ tenant: string; plan: string; ns: string; ev: string; method: string; status: number; source: string }>(
      `SELECT DISTINCT ${col("tenant")} AS tenant, ${col("plan")} AS plan, ${col("namespace")} AS ns,
              ${col("eventType")} AS ev, ${col("method")} AS method, ${col("status")} AS status, ${col("planSource")} AS source
       FROM ${DATASET} WHERE ${col("outcome")} = 'ok' ORDER BY tenant`);
    expect(answer.data).toEqual([
      { tenant: "chatty", plan: "enterprise", ns: stack.namespace, ev: "fetch", method: "GET", status: 200, source: "header" },
      { tenant: "fanout", plan: "free", ns: stack.namespace, ev: "fetch", method: "GET", status: 200, source: "header" },
      { tenant: "hello", plan: "pro", ns: stack.namespace, ev: "fetch", method: "GET", status: 200, source: "header" },
      { tenant: "legacy-sw", plan: "free", ns: stack.namespace, ev: "fetch", method: "GET", status: 200, source: "header" },
    ]);
  });

  it("counts the logs and exceptions the tenants produced", async () => {
    const answer = await sql<{ tenant: string; logs: number; exceptions: number }>(
      `SELECT ${col("tenant")} AS tenant, ${sampledSum("logCount")} AS logs, ${sampledSum("exceptionCount")} AS exceptions
       FROM ${DATASET} WHERE tenant IN ('chatty', 'thrower') GROUP BY tenant ORDER BY tenant`);
    expect(answer.data.map((r) => [r.tenant, Number(r.logs), Number(r.exceptions)])).toEqual([
      ["chatty", 4, 0],
      ["thrower", 0, 3],
    ]);
  });
});
