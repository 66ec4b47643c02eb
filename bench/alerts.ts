/**
 * The alert evaluator's cost per run: 1,000 tenants and 50 rules of every kind and scope.
 * It counts the SQL queries one evaluation sends (one per distinct shape, whatever the
 * tenants) and times the CPU-bound part of a run in Node's V8 (the engine workerd embeds):
 * the SQL client reading AE-format JSON answers (from a fake fetch) and the evaluation.
 * What it leaves out is I/O: the KV reads of the rules, the SQL round trips, and the
 * Durable Object's writes (one row per firing state and per history entry, counted here).
 */
import type { AlertCondition, AlertRule } from "@tenantscope/core/alerts";
import type { RuleState } from "@tenantscope/core/alert-state";
import { SqlClient } from "@tenantscope/core/sql-client";
import { evaluate } from "../alerts/src/evaluate.ts";
import { queryShapes } from "../alerts/src/figures.ts";
import { shapeSql, shapesOf, type Shape } from "../alerts/src/shapes.ts";
import { summarize } from "./stats.ts";

export interface AlertsBenchOptions {
  tenants: number;
  rules: number;
  runs: number;
}

const PLANS = ["free", "pro", "enterprise"];

function rulesOf(count: number): AlertRule[] {
  const conditions: AlertCondition[] = [
    { kind: "error_rate", windowMinutes: 5, threshold: 0.1, minInvocations: 20 },
    { kind: "error_rate", windowMinutes: 15, threshold: 0.05, minInvocations: 100 },
    { kind: "limit_rate", limit: "cpu", windowMinutes: 5, threshold: 0.05, minInvocations: 20 },
    { kind: "limit_rate", limit: "any", windowMinutes: 15, threshold: 0.02, minInvocations: 50 },
    { kind: "cpu_p95", windowMinutes: 15, share: 0.8, minInvocations: 50 },
    { kind: "quota", metric: "invocations", amount: 2_000_000, periodSeconds: null, onForecast: true, stop: false },
    { kind: "quota", metric: "cpu_ms", amount: 5_000_000, periodSeconds: null, onForecast: false, stop: false },
    { kind: "change", metric: "invocations", windowMinutes: 5, factor: 10, baseline: "previous", minInvocations: 100 },
    { kind: "change", metric: "errors", windowMinutes: 60, factor: 10, baseline: "median_7d", minInvocations: 50 },
    { kind: "error_rate", windowMinutes: 60, threshold: 0.02, minInvocations: 500 },
  ];
  return Array.from({ length: count }, (_, i): AlertRule => {
    const scopes: AlertRule["scope"][] = [{ kind: "all" }, { kind: "plan", value: PLANS[i % 3] ?? "free" }, { kind: "customer", value: `c-${i % 100}` }, { kind: "tenant", value: `t-${i}` }];
    return { id: `r-${i}`, name: `Rule ${i}`, scope: scopes[i % scopes.length] ?? { kind: "all" }, condition: conditions[i % conditions.length] ?? conditions[0], cooldownMinutes: 60, webhooks: ["ops"], enabled: true } as AlertRule;
  });
}

/** One shape's answer as the SQL API sends it (FORMAT JSON, 64-bit counts quoted). */
function answerText(shape: Shape, tenants: number, run: number): string {
  const data: Record<string, string | number>[] = [];
  for (let t = 0; t < tenants; t++) {
    const tenant = `t-${t}`;
    // A few tenants misbehave, and which ones moves between runs, so states change.
    const bad = (t + run) % 37 === 0;
    const invocations = 200 + ((t * 7919) % 5000);
    const errors = bad ? Math.floor(invocations * 0.3) : Math.floor(invocations * 0.001);
    if (shape.kind === "median") {
      for (let d = 1; d <= 7; d++) data.push({ tenant, span: d, invocations: String(invocations), errors: String(Math.floor(invocations * 0.001)) });
      continue;
    }
    const who = { tenant, plan: PLANS[t % 3] ?? "free", customer: t % 2 === 0 ? `c-${t % 100}` : "" };
    if (shape.kind === "previous") data.push({ tenant, invocations: String(bad ? 10 : invocations), errors: "0" });
    else if (shape.kind === "period") data.push({ ...who, invocations: String(invocations * 400), cpu_ms: invocations * 400 * 3.2 });
    else data.push({ ...who, invocations: String(invocations), errors: String(errors), cpu_hits: String(bad ? 30 : 0), subrequest_hits: "0", limit_hits: String(bad ? 30 : 0), cpu_p95: bad ? 9.5 : 2.1, cpu_limit: 10 });
  }
  const meta = Object.keys(data[0] ?? {}).map((name) => ({ name, type: name === "tenant" || name === "plan" || name === "customer" ? "String" : name.endsWith("p95") || name === "cpu_ms" ? "Float64" : "UInt64" }));
  return JSON.stringify({ meta, data, rows: data.length });
}

export async function runAlerts(opts: AlertsBenchOptions): Promise<void> {
  const rules = rulesOf(opts.rules);
  const shapes = shapesOf(rules);
  const base = Date.parse("2026-12-15T12:00:00Z");
  let states: RuleState[] = [];
  const cpu: number[] = [];
  const wall: number[] = [];
  const readCpu: number[] = [];
  let queries = 0;
  let writes = 0;
  let notifications = 0;
  for (let run = 0; run < opts.runs; run++) {
    const now = base + run * 60_000;
    const texts = new Map(shapes.map((s) => [shapeSql(s, now), answerText(s, opts.tenants, run)]));
    const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => new Response((typeof init?.body === "string" ? texts.get(init.body) : undefined) ?? "{}", { status: 200 });
    let sent = 0;
    const client = new SqlClient({ url: "http://127.0.0.1/sql", token: "bench", client: "alerts", fetch, onQuery: () => sent++ });
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const answers = await queryShapes(client, shapes, now);
    const cr = process.cpuUsage(c0);
    readCpu.push((cr.user + cr.system) / 1000);
    const ev = evaluate({ rules, answers, states, stopped: new Set(), nowMs: now, dashboardUrl: "https://dash.example.com" });
    wall.push(performance.now() - w0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    states = ev.states;
    queries = sent;
    writes = ev.states.length + ev.history.length;
    notifications = ev.notify.length;
  }
  // The first runs warm the JIT; report the rest.
  const steady = (xs: number[]): number[] => xs.slice(Math.min(3, xs.length - 1));
  const c = summarize(steady(cpu));
  const w = summarize(steady(wall));
  const r = summarize(steady(readCpu));
  console.log(`alerts: ${opts.tenants} tenants, ${opts.rules} rules → ${shapes.length} distinct shapes, ${queries} SQL queries per evaluation (${shapes.map((s) => `${s.kind}:${s.kind === "period" ? (s.seconds ?? "month") : s.minutes}`).join(", ")})`);
  console.log(`alerts: per run (SQL answers read + evaluation, after 3 warm-up runs of ${opts.runs}): CPU p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms; wall p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms; of the CPU, reading the answers p50 ${r.p50.toFixed(1)} ms`);
  console.log(`alerts: last run: ${states.length} firing states, ${writes} Durable Object rows written (states + history), ${notifications} notifications`);
}
