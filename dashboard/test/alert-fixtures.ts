/**
 * A fake alert evaluator (`AlertsService`) with known states, history, deliveries and
 * runs. The vitest config serves it as the Worker `tenantscope-alerts` (fake-alerts.ts),
 * so the dashboard's ALERTS binding reaches it over real RPC; tests that need another
 * behaviour (failing, leaking other tenants) bind an instance in-process instead.
 */
import type { AlertsService, Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";

export const T0 = "2026-12-01T10:00:00.000Z";

export const STATES: RuleState[] = [
  { rule: "errors", tenant: "alpha", status: "firing", since: "2026-12-01T09:55:00.000Z", lastNotified: "2026-12-01T09:55:00.000Z", value: 0.35, threshold: 0.2, evaluatedAt: T0 },
  { rule: "errors", tenant: "beta", status: "ok", since: null, lastNotified: null, value: 0.01, threshold: 0.2, evaluatedAt: T0 },
  { rule: "cap", tenant: "gamma", status: "firing", since: "2026-12-01T09:00:00.000Z", lastNotified: null, value: 1200, threshold: 1000, evaluatedAt: T0 },
];

export const HISTORY: HistoryEntry[] = [
  { at: "2026-12-01T09:55:00.000Z", rule: "errors", tenant: "alpha", event: "firing", value: 0.35, threshold: 0.2 },
  { at: "2026-12-01T09:00:00.000Z", rule: "cap", tenant: "gamma", event: "stopped", value: 1200, threshold: 1000 },
  { at: "2026-12-01T08:00:00.000Z", rule: "errors", tenant: "beta", event: "resolved", value: 0.05, threshold: 0.2 },
];

export const DELIVERIES: Delivery[] = [
  { id: "d-1", webhook: "ops", url: "https://hooks.example.com/in", event: "firing", rule: "errors", tenant: "alpha", status: "delivered", attempts: 1, lastStatus: 200, lastError: null, createdAt: "2026-12-01T09:55:01.000Z", nextAttemptAt: null },
  { id: "d-2", webhook: "ops", url: "https://hooks.example.com/in", event: "firing", rule: "cap", tenant: "gamma", status: "pending", attempts: 2, lastStatus: 503, lastError: "HTTP 503", createdAt: "2026-12-01T09:00:01.000Z", nextAttemptAt: "2026-12-01T10:04:00.000Z" },
];

const RUN: RunSummary = { at: T0, rules: 2, tenants: 3, sqlQueries: 2, cpuMs: 4.5, wallMs: 38, error: null };
export const RUNS: RunSummary[] = [RUN];

/** Honest about filters unless `leaky`, which answers every tenant's state whatever is asked. */
export class FakeAlerts implements AlertsService {
  readonly sent: string[] = [];
  private readonly extra: Delivery[] = [];
  private readonly leaky: boolean;

  constructor(options: { leaky?: boolean } = {}) {
    this.leaky = options.leaky === true;
  }

  async states(filter?: { rule?: string; tenant?: string }): Promise<RuleState[]> {
    if (this.leaky) return STATES;
    return STATES.filter((s) => (filter?.rule === undefined || s.rule === filter.rule) && (filter?.tenant === undefined || s.tenant === filter.tenant));
  }

  async history(limit: number): Promise<HistoryEntry[]> {
    return HISTORY.slice(0, limit);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return [...this.extra, ...DELIVERIES].slice(0, limit);
  }

  async runs(limit: number): Promise<RunSummary[]> {
    return RUNS.slice(0, limit);
  }

  async sendTest(webhook: string): Promise<Delivery> {
    this.sent.push(webhook);
    const delivery: Delivery = {
      id: `test-${this.sent.length}`, webhook, url: "https://hooks.example.com/in", event: "test", rule: "", tenant: "", status: "delivered",
      attempts: 1, lastStatus: 204, lastError: null, createdAt: T0, nextAttemptAt: null,
    };
    this.extra.unshift(delivery);
    return delivery;
  }

  async evaluateNow(): Promise<RunSummary> {
    return { ...RUN, at: "2026-12-01T10:01:00.000Z" };
  }
}

/** An evaluator whose every call fails with an internal detail that must not reach the page. */
export class FailingAlerts extends FakeAlerts {
  override async states(): Promise<RuleState[]> {
    throw new Error("SQLITE_BUSY at /internal/state.ts:42");
  }
}
