/**
 * The evaluator's SQL against the REAL local Analytics Engine stand-in (global-setup.ts
 * imports ae-fixture.ts): every shape is valid in the AE dialect and answers the figures
 * worked out by hand in the fixture, and a whole run through the Worker's own bindings
 * (AE_SQL_URL, CF_API_TOKEN, PLANS) fires on them.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { alertKeys, ruleRecord } from "@tenantscope/core/alerts";
import { SqlClient } from "@tenantscope/core/sql-client";
import { queryShapes, type ShapeAnswer } from "../src/figures.ts";
import { sqlSettings } from "../src/config.ts";
import { shapeKey, type Shape } from "../src/shapes.ts";
import type { AlertState } from "../src/state.ts";
import { errorRate, rule } from "./helpers.ts";

const anchor = inject("anchorMs");
const W5: Shape = { kind: "window", minutes: 5 };
const PREV: Shape = { kind: "previous", minutes: 5 };
const MEDIAN: Shape = { kind: "median", minutes: 5 };
const HOUR: Shape = { kind: "period", seconds: 3600 };

function tenants(a: ShapeAnswer | undefined): Map<string, unknown> {
  if (a === undefined) throw new Error("no answer");
  return a.tenants;
}

describe("the shapes on the local Analytics Engine", () => {
  it("answer each tenant's figures, sampling- and fold-corrected, without dispatcher answers or overflow folds", async () => {
    const sent: string[] = [];
    const client = new SqlClient({ ...sqlSettings(env), client: "alerts", onQuery: (s) => sent.push(s) });
    const answers = await queryShapes(client, [W5, PREV, MEDIAN, HOUR], anchor);
    expect(sent).toHaveLength(4);
    const window = tenants(answers.get(shapeKey(W5)));
    expect([...window.keys()].sort()).toEqual(["burner", "thrower"]);
    expect(window.get("thrower")).toEqual({ plan: "free", customer: "acme", invocations: 9, errors: 7, cpuHits: 1, subrequestHits: 0, limitHits: 1, cpuP95: 10, cpuLimit: 10 });
    expect(window.get("burner")).toMatchObject({ plan: "pro", customer: "", invocations: 20, errors: 0, cpuP95: 19, cpuLimit: 50 });
    expect(tenants(answers.get(shapeKey(PREV)))).toEqual(new Map([["thrower", { invocations: 1, errors: 0 }]]));
    const zero = { invocations: 0, errors: 0 };
    expect(tenants(answers.get(shapeKey(MEDIAN))).get("thrower")).toEqual([{ invocations: 4, errors: 0 }, { invocations: 2, errors: 1 }, { invocations: 3, errors: 0 }, zero, zero, zero, zero]);
    const hour = tenants(answers.get(shapeKey(HOUR)));
    // thrower: 2 × 2 + 2 × 3 × 3 + 10 + 1 = 33 ms over 10 invocations; burner: 1 + … + 20 = 210 ms.
    expect(hour.get("thrower")).toEqual({ plan: "free", customer: "acme", invocations: 10, cpuMs: 33 });
    expect(hour.get("burner")).toEqual({ plan: "pro", customer: "", invocations: 20, cpuMs: 210 });
  });
});

describe("a run with the Worker's own bindings", () => {
  it("queries the stand-in once per shape and fires on what it answers", async () => {
    await env.PLANS.put(alertKeys.rule("errors"), ruleRecord(rule("errors", errorRate(0.5, 5), { webhooks: [] })));
    await env.PLANS.put(alertKeys.rule("p95"), ruleRecord(rule("p95", { kind: "cpu_p95", windowMinutes: 5, share: 0.3, minInvocations: 5 }, { webhooks: [] })));
    const stub = env.STATE.get(env.STATE.idFromName("ae-test"));
    const run = await runInDurableObject(stub, (instance: AlertState) => instance.evaluate(anchor));
    expect(run).toMatchObject({ rules: 2, tenants: 2, sqlQueries: 1, error: null });
    const states = await stub.states();
    // thrower: 7 of 9 failed (≥ 50 %), p95 10 ms ≥ 30 % of its 10 ms; burner: none failed, p95 19 ms ≥ 30 % of its 50 ms.
    expect(states.map((s) => `${s.rule}:${s.tenant}`).sort()).toEqual(["errors:thrower", "p95:burner", "p95:thrower"]);
  });
});
