/**
 * One evaluation run, with its dependencies passed in (the Durable Object wires the real
 * ones; tests pass recorded SQL answers and a fake clock): lift the stops whose period has
 * ended, query every shape once, evaluate, make the new stops, keep states and history,
 * hand the notifications to the notifier, and record the run's summary.
 */
import type { AlertNotification, Webhook } from "@tenantscope/core/alerts";
import { bindingKv } from "@tenantscope/core/audit";
import type { HistoryEntry, RunSummary } from "@tenantscope/core/alert-state";
import { SqlError } from "@tenantscope/core/sql-client";
import { ConfigError } from "./config.ts";
import { evaluate, stopKey, type Notify, type StopAction } from "./evaluate.ts";
import { queryShapes, type SqlQuery } from "./figures.ts";
import { loadConfig, type AlertConfig } from "./kv.ts";
import { shapesOf } from "./shapes.ts";
import { liftStop, stopTenant } from "./stops.ts";
import { addHistory, addRun, addStop, readStates, readStops, removeStop, writeStates } from "./store.ts";

export interface Notifier {
  enqueue(hook: Webhook, notification: AlertNotification, nowMs: number): void;
}

export interface RunDeps {
  /** A function to build it inside the run, so unusable SQL settings become the run's error (stops are still lifted). */
  sql: SqlQuery | (() => SqlQuery);
  plans: Env["PLANS"];
  db: SqlStorage;
  notifier: Notifier;
  nowMs: number;
  defaultPlan: string;
  dashboardUrl: string;
  /** The process's CPU time in ms, where it can be read (Node); Workers cannot, so null there. */
  cpuMs?: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The reader-facing message of a known failure; anything else is logged and named generically. */
function why(error: unknown): string {
  if (error instanceof SqlError || error instanceof ConfigError) return error.message;
  console.error("tenantscope-alerts: evaluation failed:", error);
  return "The evaluation failed (internal error; see the evaluator's log).";
}

async function liftDue(deps: RunDeps, config: AlertConfig | null): Promise<HistoryEntry[]> {
  const kv = bindingKv(deps.plans);
  const history: HistoryEntry[] = [];
  for (const stop of readStops(deps.db)) {
    if (Date.parse(stop.until) > deps.nowMs) continue;
    try {
      if ((await liftStop(kv, stop, deps.defaultPlan, deps.nowMs)) === "resumed") {
        const rule = config?.rules.find((r) => r.id === stop.rule);
        const threshold = rule?.condition.kind === "quota" ? rule.condition.amount : 0;
        history.push({ at: iso(deps.nowMs), rule: stop.rule, tenant: stop.tenant, event: "resumed", value: 0, threshold });
      }
      removeStop(deps.db, stop);
    } catch (error) {
      // Kept: the next run tries again. The dispatcher serves the tenant after `until` regardless.
      console.error(`tenantscope-alerts: lifting the stop of ${stop.tenant} (rule ${stop.rule}) failed:`, error);
    }
  }
  return history;
}

async function makeStops(deps: RunDeps, stops: readonly StopAction[], notify: Notify[]): Promise<HistoryEntry[]> {
  const kv = bindingKv(deps.plans);
  const history: HistoryEntry[] = [];
  for (const stop of stops) {
    let made = false;
    try {
      made = (await stopTenant(kv, stop, deps.defaultPlan, deps.nowMs)) === "stopped";
      if (!made) console.error(`tenantscope-alerts: not stopping ${stop.tenant} (rule ${stop.rule}): its assignment record is unreadable`);
    } catch (error) {
      console.error(`tenantscope-alerts: stopping ${stop.tenant} (rule ${stop.rule}) failed:`, error);
    }
    if (made) {
      addStop(deps.db, stop);
      history.push({ at: iso(deps.nowMs), rule: stop.rule, tenant: stop.tenant, event: "stopped", value: stop.value, threshold: stop.threshold });
      continue;
    }
    // Not stopped after all: its notifications must not say so (the next run tries again).
    for (const n of notify) {
      if (n.notification.rule.id === stop.rule && n.notification.tenant === stop.tenant) delete n.notification.stoppedUntil;
    }
  }
  return history;
}

export async function runEvaluation(deps: RunDeps): Promise<RunSummary> {
  const started = Date.now();
  const cpuStart = deps.cpuMs?.();
  let queries = 0;
  const summary: RunSummary = { at: iso(deps.nowMs), rules: 0, tenants: 0, sqlQueries: 0, cpuMs: null, wallMs: 0, error: null };
  let config: AlertConfig | null = null;
  try {
    config = await loadConfig(deps.plans);
  } catch (error) {
    summary.error = why(error);
  }
  const lifted = await liftDue(deps, config);
  addHistory(deps.db, lifted);
  if (config !== null) {
    try {
      const target = typeof deps.sql === "function" ? deps.sql() : deps.sql;
      const counted: SqlQuery = { query: (text) => (queries++, target.query(text)) };
      const rules = config.rules.filter((r) => r.enabled);
      const answers = await queryShapes(counted, shapesOf(rules), deps.nowMs);
      const stopped = new Set(readStops(deps.db).map((s) => stopKey(s.rule, s.tenant, s.until)));
      const ev = evaluate({ rules, answers, states: readStates(deps.db), stopped, nowMs: deps.nowMs, dashboardUrl: deps.dashboardUrl });
      const stopHistory = await makeStops(deps, ev.stops, ev.notify);
      // No await between these writes: the Durable Object commits them together.
      writeStates(deps.db, ev.states);
      addHistory(deps.db, [...ev.history, ...stopHistory]);
      for (const n of ev.notify) {
        for (const id of n.webhooks) {
          const hook = config.webhooks.get(id);
          if (hook === undefined) console.error(`tenantscope-alerts: rule ${n.notification.rule.id} names webhook "${id}", which does not exist`);
          else deps.notifier.enqueue(hook, n.notification, deps.nowMs);
        }
      }
      summary.rules = rules.length;
      summary.tenants = ev.tenants;
    } catch (error) {
      summary.error = why(error);
    }
  }
  summary.sqlQueries = queries;
  summary.wallMs = Date.now() - started;
  if (cpuStart !== undefined && deps.cpuMs !== undefined) summary.cpuMs = deps.cpuMs() - cpuStart;
  addRun(deps.db, summary);
  return summary;
}
