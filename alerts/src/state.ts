/**
 * The AlertState Durable Object (SQLite): one instance holds every rule's state, the
 * history, the run summaries, the quota stops and the webhook deliveries, so runs are
 * serialised and survive restarts. Each run enqueues its notifications and attempts them
 * at once; retries are driven by the alarm (notify/).
 */
import { DurableObject } from "cloudflare:workers";
import type { AlertNotification } from "@tenantscope/core/alerts";
import type { Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { SqlClient } from "@tenantscope/core/sql-client";
import { PLAN_VARS_FALLBACK } from "@tenantscope/core/vars";
import { dashboardUrl, defaultPlan, sqlSettings } from "./config.ts";
import { loadWebhooks } from "./kv.ts";
import { attemptDue, enqueue, getDelivery, initDeliveries, listDeliveries, type Fetcher } from "./notify/index.ts";
import { nextDue } from "./notify/store.ts";
import { runEvaluation, type RunDeps } from "./run.ts";
import { initStore, readHistory, readRuns, readStates, type Filter } from "./store.ts";

/** Answers are capped so a page cannot ask the object for its whole history at once. */
const MAX_LIST = 1000;
const clamp = (limit: number): number => Math.min(MAX_LIST, Math.max(1, Math.trunc(Number.isFinite(limit) ? limit : 50)));

export class AlertState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /**
   * The run in progress. A Durable Object interleaves requests at every await, so a cron
   * run and an evaluateNow() could otherwise read the same states and notify twice.
   */
  private running: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    initStore(this.sql);
    initDeliveries(this.sql);
  }

  async states(filter?: Filter): Promise<RuleState[]> {
    return readStates(this.sql, filter);
  }

  async history(limit: number, filter?: Filter): Promise<HistoryEntry[]> {
    return readHistory(this.sql, clamp(limit), filter);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return listDeliveries(this.sql, clamp(limit));
  }

  async runs(limit: number): Promise<RunSummary[]> {
    return readRuns(this.sql, clamp(limit));
  }

  async sendTest(webhook: string): Promise<Delivery> {
    return this.test(webhook, Date.now());
  }

  /** sendTest at `now`, through `fetcher` (tests pass their own). */
  async test(webhook: string, now: number, fetcher?: Fetcher): Promise<Delivery> {
    const hook = (await loadWebhooks(this.env.PLANS)).get(webhook);
    if (hook === undefined) throw new Error(`There is no webhook "${webhook}".`);
    const base = safeDashboardUrl(this.env);
    const test: AlertNotification = {
      event: "test",
      rule: { id: "test", name: "Test notification", condition: "error_rate" },
      scope: { kind: "all" },
      tenant: "",
      value: 0,
      threshold: 0,
      window: { from: new Date(now).toISOString(), to: new Date(now).toISOString() },
      since: null,
      at: new Date(now).toISOString(),
      links: { tenant: `${base}/`, alerts: `${base}/alerts` },
    };
    const queued = enqueue(this.sql, hook, test, now);
    await this.deliver(now, this.env.PLANS, fetcher);
    return getDelivery(this.sql, queued.id) ?? queued;
  }

  async evaluateNow(): Promise<RunSummary> {
    return this.evaluate(Date.now());
  }

  override async alarm(): Promise<void> {
    await this.deliver(Date.now());
  }

  /** One run at `nowMs`, after any run in progress; the dependencies are the real ones unless a test passes its own. */
  evaluate(nowMs: number, overrides: Partial<RunDeps> & { fetcher?: Fetcher } = {}): Promise<RunSummary> {
    const run = this.running.then(() => this.runOnce(nowMs, overrides));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async runOnce(nowMs: number, overrides: Partial<RunDeps> & { fetcher?: Fetcher }): Promise<RunSummary> {
    const env = this.env;
    const summary = await runEvaluation({
      sql: () => new SqlClient({ ...sqlSettings(env), client: "alerts" }),
      plans: env.PLANS,
      db: this.sql,
      notifier: { enqueue: (hook, n, at) => void enqueue(this.sql, hook, n, at) },
      nowMs,
      defaultPlan: safeDefaultPlan(env),
      dashboardUrl: safeDashboardUrl(env),
      ...overrides,
    });
    await this.deliver(nowMs, overrides.plans, overrides.fetcher);
    return summary;
  }

  /** Attempts every due delivery (with the webhooks as KV has them now) and sets the alarm for the next one. */
  private async deliver(nowMs: number, plans: Env["PLANS"] = this.env.PLANS, fetcher: Fetcher = (input, init) => fetch(input, init)): Promise<void> {
    // Most runs notify nobody: then there is nothing to read from KV.
    if (nextDue(this.sql) === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const hooks = await loadWebhooks(plans);
    const next = await attemptDue(this.sql, (id) => hooks.get(id) ?? null, nowMs, fetcher);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1_000));
  }
}

/** A bad DEFAULT_PLAN must not stop the evaluator from lifting stops: it falls back, and says so. */
function safeDefaultPlan(env: Env): string {
  try {
    return defaultPlan(env);
  } catch (error) {
    console.error(`tenantscope-alerts: ${String(error)}; using "${PLAN_VARS_FALLBACK.defaultPlan}"`);
    return PLAN_VARS_FALLBACK.defaultPlan;
  }
}

function safeDashboardUrl(env: Env): string {
  try {
    return dashboardUrl(env);
  } catch (error) {
    console.error(`tenantscope-alerts: ${String(error)}; links are relative`);
    return "";
  }
}
