/**
 * The evaluation's logic over recorded SQL answers and a fake clock: fire, cooldown,
 * resolve, minimum volume, scopes, limit and CPU rules. Each step feeds the states of
 * the previous one back in, as the Durable Object does between runs.
 */
import { describe, expect, it } from "vitest";
import type { AlertRule } from "@tenantscope/core/alerts";
import type { RuleState } from "@tenantscope/core/alert-state";
import type { Row } from "@tenantscope/core/sql-client";
import { evaluate, type Evaluation } from "../src/evaluate.ts";
import { queryShapes } from "../src/figures.ts";
import { shapesOf, type Shape } from "../src/shapes.ts";
import { MIN, T0, errorRate, recordedSql, rule, windowRow } from "./helpers.ts";

const W5: Shape = { kind: "window", minutes: 5 };

async function step(rules: AlertRule[], nowMs: number, answers: [Shape, Row[]][], states: RuleState[] = []): Promise<Evaluation> {
  const sql = recordedSql(nowMs, answers);
  const got = await queryShapes(sql, shapesOf(rules), nowMs);
  return evaluate({ rules, answers: got, states, stopped: new Set(), nowMs, dashboardUrl: "https://dash.example.com" });
}

const events = (e: Evaluation): string[] => e.notify.map((n) => `${n.notification.event}:${n.notification.tenant}`);

describe("an error-rate rule", () => {
  const rules = [rule("errors", errorRate(0.2, 20), { cooldownMinutes: 30 })];
  const burst: [Shape, Row[]][] = [[W5, [windowRow("thrower", { invocations: 100, errors: 40 }), windowRow("hello", { invocations: 100, errors: 1 })]]];
  const calm: [Shape, Row[]][] = [[W5, [windowRow("thrower", { invocations: 100, errors: 2 })]]];

  it("fires once for the tenant over the threshold, with the notification's fields", async () => {
    const e = await step(rules, T0, burst);
    expect(events(e)).toEqual(["firing:thrower"]);
    const n = e.notify[0]?.notification;
    expect(n).toMatchObject({
      rule: { id: "errors", name: "Rule errors", condition: "error_rate" },
      scope: { kind: "all" },
      value: 0.4,
      threshold: 0.2,
      window: { from: "2026-12-15T11:55:00.000Z", to: "2026-12-15T12:00:00.000Z" },
      since: "2026-12-15T12:00:00.000Z",
      links: { tenant: "https://dash.example.com/tenants/thrower", alerts: "https://dash.example.com/alerts" },
    });
    expect(e.notify[0]?.webhooks).toEqual(["ops"]);
    expect(e.states.map((s) => [s.rule, s.tenant, s.status, s.lastNotified])).toEqual([["errors", "thrower", "firing", "2026-12-15T12:00:00.000Z"]]);
    expect(e.history.map((h) => h.event)).toEqual(["firing"]);
  });

  it("stays quiet while still firing within the cooldown, notifies again after it, and resolves once", async () => {
    const first = await step(rules, T0, burst);
    const within = await step(rules, T0 + 29 * MIN, burst, first.states);
    expect(events(within)).toEqual([]);
    expect(within.states[0]?.since).toBe(first.states[0]?.since);
    const after = await step(rules, T0 + 30 * MIN, burst, within.states);
    expect(events(after)).toEqual(["still_firing:thrower"]);
    expect(after.notify[0]?.notification.since).toBe("2026-12-15T12:00:00.000Z");
    const quietAgain = await step(rules, T0 + 31 * MIN, burst, after.states);
    expect(events(quietAgain)).toEqual([]);
    const resolved = await step(rules, T0 + 32 * MIN, calm, quietAgain.states);
    expect(events(resolved)).toEqual(["resolved:thrower"]);
    expect(resolved.notify[0]?.notification).toMatchObject({ value: 0.02, since: "2026-12-15T12:00:00.000Z" });
    expect(resolved.states).toEqual([]);
    const later = await step(rules, T0 + 33 * MIN, calm, resolved.states);
    expect(events(later)).toEqual([]);
  });

  it("resolves a firing tenant that has no invocations any more (absent from the answer)", async () => {
    const first = await step(rules, T0, burst);
    const gone = await step(rules, T0 + MIN, [[W5, []]], first.states);
    expect(events(gone)).toEqual(["resolved:thrower"]);
  });

  it("needs the minimum volume: 19 invocations that all fail do not fire, 20 do", async () => {
    expect(events(await step(rules, T0, [[W5, [windowRow("thrower", { invocations: 19, errors: 19 })]]]))).toEqual([]);
    expect(events(await step(rules, T0, [[W5, [windowRow("thrower", { invocations: 20, errors: 20 })]]]))).toEqual(["firing:thrower"]);
  });

  it("fires at the threshold itself, not below it", async () => {
    expect(events(await step(rules, T0, [[W5, [windowRow("a", { invocations: 100, errors: 20 }), windowRow("b", { invocations: 100, errors: 19 })]]]))).toEqual(["firing:a"]);
  });

  it("drops the states of a rule that was deleted or disabled, without notifying", async () => {
    const first = await step(rules, T0, burst);
    const disabled = [{ ...rules[0], enabled: false } as AlertRule];
    const e = await step(disabled, T0 + MIN, burst, first.states);
    expect(e.states).toEqual([]);
    expect(e.notify).toEqual([]);
    expect((await step([], T0 + MIN, burst, first.states)).states).toEqual([]);
  });
});

describe("scopes", () => {
  const answer: [Shape, Row[]][] = [
    [
      W5,
      [
        windowRow("a", { invocations: 50, errors: 50, plan: "pro", customer: "acme" }),
        windowRow("b", { invocations: 50, errors: 50, plan: "free", customer: "" }),
        windowRow("c", { invocations: 50, errors: 50, plan: "pro", customer: "other" }),
      ],
    ],
  ];
  const fired = async (scope: AlertRule["scope"]): Promise<string[]> => (await step([rule("r", errorRate(), { scope })], T0, answer)).notify.map((n) => n.notification.tenant);

  it("applies a rule to one tenant, one plan, one customer (a tenant without a tag is its own customer) or all", async () => {
    expect(await fired({ kind: "all" })).toEqual(["a", "b", "c"]);
    expect(await fired({ kind: "tenant", value: "b" })).toEqual(["b"]);
    expect(await fired({ kind: "plan", value: "pro" })).toEqual(["a", "c"]);
    expect(await fired({ kind: "customer", value: "acme" })).toEqual(["a"]);
    expect(await fired({ kind: "customer", value: "b" })).toEqual(["b"]);
  });

  it("resolves a tenant that moved out of the rule's scope", async () => {
    const rules = [rule("r", errorRate(), { scope: { kind: "plan", value: "pro" } })];
    const first = await step(rules, T0, answer);
    const moved: [Shape, Row[]][] = [[W5, [windowRow("a", { invocations: 50, errors: 50, plan: "free", customer: "acme" }), windowRow("c", { invocations: 50, errors: 50, plan: "pro" })]]];
    expect(events(await step(rules, T0 + MIN, moved, first.states))).toEqual(["resolved:a"]);
  });
});

describe("limit and CPU rules", () => {
  it("limit_rate counts hits of its kind only", async () => {
    const rows = [windowRow("cpu-burner", { invocations: 100, cpuHits: 30 }), windowRow("fanout", { invocations: 100, subrequestHits: 30 })];
    const by = async (limit: "cpu" | "subrequests" | "any"): Promise<string[]> =>
      (await step([rule("l", { kind: "limit_rate", limit, windowMinutes: 5, threshold: 0.25, minInvocations: 10 })], T0, [[W5, rows]])).notify.map((n) => n.notification.tenant);
    expect(await by("cpu")).toEqual(["cpu-burner"]);
    expect(await by("subrequests")).toEqual(["fanout"]);
    expect(await by("any")).toEqual(["cpu-burner", "fanout"]);
  });

  it("cpu_p95 compares with the share of the plan's CPU limit the points recorded", async () => {
    const rules = [rule("p95", { kind: "cpu_p95", windowMinutes: 5, share: 0.8, minInvocations: 10 })];
    const rows = [windowRow("near", { invocations: 50, cpuP95: 8, cpuLimit: 10 }), windowRow("fine", { invocations: 50, cpuP95: 7.9, cpuLimit: 10 }), windowRow("big", { invocations: 50, cpuP95: 40, cpuLimit: 500 })];
    const e = await step(rules, T0, [[W5, rows]]);
    expect(events(e)).toEqual(["firing:near"]);
    expect(e.notify[0]?.notification).toMatchObject({ value: 8, threshold: 8 });
  });
});
