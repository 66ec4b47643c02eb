/**
 * Whole runs inside the AlertState Durable Object (runInDurableObject) with the real local
 * KV, recorded SQL answers, a fake clock and a recording fetch: durable states between
 * runs, signed deliveries, the audited quota stop and its lifting, and failures.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { alertKeys, ruleRecord, webhookRecord, SIGNATURE_HEADER, type AlertNotification, type AlertRule, type Webhook } from "@tenantscope/core/alerts";
import { bindingKv, readLog } from "@tenantscope/core/audit";
import { verifyDelivery } from "@tenantscope/core/alert-signature";
import type { Row } from "@tenantscope/core/sql-client";
import { SqlError } from "@tenantscope/core/sql-client";
import type { Fetcher } from "../src/notify/index.ts";
import type { SqlQuery } from "../src/figures.ts";
import type { Shape } from "../src/shapes.ts";
import type { AlertState } from "../src/state.ts";
import { MIN, T0, errorRate, periodRow, recordedSql, rule, windowRow } from "./helpers.ts";

const SECRET = "test-secret-0123456789";
const HOOK: Webhook = { id: "ops", url: "https://hooks.example.com/in", format: "json", secret: SECRET };
const W5: Shape = { kind: "window", minutes: 5 };

interface Sent {
  body: string;
  signature: string | null;
}

function recordingFetch(): { fetch: Fetcher; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: Fetcher = async (_url, init) => {
    sent.push({ body: typeof init.body === "string" ? init.body : "", signature: new Headers(init.headers).get(SIGNATURE_HEADER) });
    return new Response(null, { status: 204 });
  };
  return { fetch, sent };
}

beforeEach(async () => {
  // One KV for the whole file: each test starts from no records.
  for (const prefix of ["alert:", "webhook:", "tenant:", "audit:"]) {
    for (const k of (await env.PLANS.list({ prefix })).keys) await env.PLANS.delete(k.name);
  }
  await env.PLANS.put(alertKeys.webhook(HOOK.id), webhookRecord(HOOK));
});

const putRule = (r: AlertRule): Promise<void> => env.PLANS.put(alertKeys.rule(r.id), ruleRecord(r));

/** A fresh object per test; `run` evaluates at `nowMs` in it (a new call each time, as the cron makes). */
function evaluator() {
  const stub = env.STATE.get(env.STATE.idFromName(crypto.randomUUID()));
  const { fetch, sent } = recordingFetch();
  return {
    stub,
    sent,
    run: (nowMs: number, sql: SqlQuery) => runInDurableObject(stub, (instance: AlertState) => instance.evaluate(nowMs, { sql, fetcher: fetch })),
  };
}

describe("runs in the Durable Object", () => {
  const burst: [Shape, Row[]][] = [[W5, [windowRow("thrower", { invocations: 100, errors: 50 })]]];

  it("keep each rule's state across runs: one signed firing delivery, none within the cooldown, one on resolve", async () => {
    await putRule(rule("errors", errorRate(0.2, 20), { cooldownMinutes: 30 }));
    const e = evaluator();
    const first = await e.run(T0, recordedSql(T0, burst));
    expect(first).toMatchObject({ rules: 1, tenants: 1, sqlQueries: 1, error: null });
    expect(e.sent).toHaveLength(1);
    const body = JSON.parse(e.sent[0]?.body ?? "{}") as AlertNotification;
    expect(body).toMatchObject({ event: "firing", tenant: "thrower", value: 0.5 });
    expect((await verifyDelivery(SECRET, e.sent[0]?.signature ?? null, e.sent[0]?.body ?? "", T0 / 1000)).ok).toBe(true);
    expect(await e.stub.states()).toMatchObject([{ rule: "errors", tenant: "thrower", status: "firing", since: new Date(T0).toISOString() }]);

    await e.run(T0 + 10 * MIN, recordedSql(T0 + 10 * MIN, burst));
    expect(e.sent).toHaveLength(1);
    await e.run(T0 + 11 * MIN, recordedSql(T0 + 11 * MIN, [[W5, [windowRow("thrower", { invocations: 100 })]]]));
    expect(e.sent.map((s) => (JSON.parse(s.body) as AlertNotification).event)).toEqual(["firing", "resolved"]);
    expect(await e.stub.states()).toEqual([]);
    expect((await e.stub.history(10)).map((h) => h.event)).toEqual(["resolved", "firing"]);
    const deliveries = await e.stub.deliveries(10);
    expect(deliveries.map((d) => [d.event, d.status])).toEqual([
      ["resolved", "delivered"],
      ["firing", "delivered"],
    ]);
    expect((await e.stub.runs(10)).map((r) => r.sqlQueries)).toEqual([1, 1, 1]);
  });

  it("record a failing SQL API as the run's error and leave every state as it was", async () => {
    await putRule(rule("errors", errorRate()));
    const e = evaluator();
    await e.run(T0, recordedSql(T0, burst));
    const failing: SqlQuery = {
      query: () => Promise.reject(new SqlError("sql_failed", "The Analytics Engine SQL API failed (HTTP 502). Try again in a moment.")),
    };
    const run = await e.run(T0 + MIN, failing);
    expect(run.error).toBe("The Analytics Engine SQL API failed (HTTP 502). Try again in a moment.");
    expect(await e.stub.states()).toHaveLength(1);
    expect(e.sent).toHaveLength(1);
    expect((await e.stub.runs(1))[0]?.error).toBe(run.error);
  });

  it("send a test notification to one webhook now and answer its delivery", async () => {
    const e = evaluator();
    const { fetch, sent } = recordingFetch();
    await runInDurableObject(e.stub, async (instance: AlertState) => {
      const delivery = await instance.test("ops", T0, fetch);
      expect(delivery).toMatchObject({ webhook: "ops", event: "test", url: "https://hooks.example.com/in", status: "delivered", attempts: 1, lastStatus: 204 });
      await expect(instance.test("nope", T0, fetch)).rejects.toThrow('There is no webhook "nope".');
    });
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.body ?? "{}")).toMatchObject({ event: "test", rule: { name: "Test notification" } });
    expect((await verifyDelivery(SECRET, sent[0]?.signature ?? null, sent[0]?.body ?? "", T0 / 1000)).ok).toBe(true);
  });
});

describe("a quota rule's stop", () => {
  const quotaRule = rule("budget", { kind: "quota", metric: "invocations", amount: 1000, periodSeconds: 3600, onForecast: false, stop: true });
  const hour: Shape = { kind: "period", seconds: 3600 };
  const over: [Shape, Row[]][] = [[hour, [periodRow("hello", 1500, 0, "pro"), periodRow("fresh", 2000)]]];
  const stoppedAt = T0 + 20 * MIN;
  const until = new Date(T0 + 60 * MIN).toISOString();

  it("writes the assignment's stop through the audit log as the rule, once, and lifts it after the period's end", async () => {
    await putRule(quotaRule);
    await env.PLANS.put("tenant:hello", JSON.stringify({ plan: "pro" }));
    const e = evaluator();
    await e.run(stoppedAt, recordedSql(stoppedAt, over));
    expect(JSON.parse((await env.PLANS.get("tenant:hello")) ?? "null")).toEqual({ plan: "pro", stop: { until, rule: "budget" } });
    // A tenant without a record was on the default plan: its new record says so, and that it had none.
    expect(JSON.parse((await env.PLANS.get("tenant:fresh")) ?? "null")).toEqual({ plan: "free", stop: { until, rule: "budget", fromDefault: true } });
    const log = await readLog(bindingKv(env.PLANS), 10);
    expect(log.map((a) => [a.actor, a.via, a.action, a.key, a.oldSource])).toEqual(
      expect.arrayContaining([
        ["rule:budget", "alerts", "assignment", "tenant:hello", "kv"],
        ["rule:budget", "alerts", "assignment", "tenant:fresh", "default"],
      ]),
    );
    expect(log).toHaveLength(2);
    const notified = JSON.parse(e.sent[0]?.body ?? "{}") as AlertNotification;
    expect(notified.stoppedUntil).toBe(until);

    // Still over: no second stop, no second audit entry.
    await e.run(stoppedAt + MIN, recordedSql(stoppedAt + MIN, over));
    expect(await readLog(bindingKv(env.PLANS), 10)).toHaveLength(2);

    // The period has ended: the stop is lifted the same audited way, and the history says so.
    const after = T0 + 61 * MIN;
    await e.run(after, recordedSql(after, [[hour, [periodRow("hello", 3, 0, "pro")]]]));
    expect(JSON.parse((await env.PLANS.get("tenant:hello")) ?? "null")).toEqual({ plan: "pro" });
    // fresh had no record before its stop: it has none again, so it follows DEFAULT_PLAN, not today's default.
    expect(await env.PLANS.get("tenant:fresh")).toBeNull();
    const lifted = await readLog(bindingKv(env.PLANS), 10);
    expect(lifted).toHaveLength(4);
    expect(lifted.slice(0, 2).map((a) => [a.actor, a.key, a.new])).toEqual(expect.arrayContaining([["rule:budget", "tenant:hello", '{"plan":"pro"}'], ["rule:budget", "tenant:fresh", null]]));
    const history = (await e.stub.history(20, { tenant: "hello" })).map((h) => h.event);
    expect(history).toEqual(["resolved", "resumed", "stopped", "firing"]);
  });

  it("is made once when two runs are asked for at once (the object queues them)", async () => {
    await putRule(quotaRule);
    const e = evaluator();
    const { fetch, sent } = recordingFetch();
    const both = [stoppedAt, stoppedAt + 1000].map((now) => ({ sql: recordedSql(now, over), fetcher: fetch }));
    // Between reading the states and writing them a run waits for KV (the stops): without the
    // queue the second run would read the same states and stop and notify a second time.
    const runs = await runInDurableObject(e.stub, (instance: AlertState) => Promise.all(both.map((deps, i) => instance.evaluate(stoppedAt + i * 1000, deps))));
    expect(runs.map((r) => r.error)).toEqual([null, null]);
    expect(sent.map((s) => (JSON.parse(s.body) as AlertNotification).tenant).sort()).toEqual(["fresh", "hello"]);
    expect((await e.stub.history(10)).map((h) => h.event).sort()).toEqual(["firing", "firing", "stopped", "stopped"]);
    expect(await readLog(bindingKv(env.PLANS), 10)).toHaveLength(2);
  });

  it("leaves a stop alone that an operator already lifted, and an unreadable assignment unstopped", async () => {
    await putRule(quotaRule);
    await env.PLANS.put("tenant:fresh", "{not json");
    const e = evaluator();
    await e.run(stoppedAt, recordedSql(stoppedAt, over));
    expect(await env.PLANS.get("tenant:fresh")).toBe("{not json");
    // The operator lifts hello's stop by hand (a plain record), before the period ends.
    await env.PLANS.put("tenant:hello", JSON.stringify({ plan: "pro" }));
    const entries = (await readLog(bindingKv(env.PLANS), 10)).length;
    // Still over later in the same period: the operator's lift stands (once per rule and period).
    await e.run(stoppedAt + 5 * MIN, recordedSql(stoppedAt + 5 * MIN, over));
    expect(JSON.parse((await env.PLANS.get("tenant:hello")) ?? "null")).toEqual({ plan: "pro" });
    expect(await readLog(bindingKv(env.PLANS), 10)).toHaveLength(entries);
    await e.run(T0 + 61 * MIN, recordedSql(T0 + 61 * MIN, []));
    expect(await readLog(bindingKv(env.PLANS), 10)).toHaveLength(entries);
    expect(JSON.parse((await env.PLANS.get("tenant:hello")) ?? "null")).toEqual({ plan: "pro" });
  });
});
