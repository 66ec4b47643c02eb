/**
 * The Worker `tenantscope-alerts` of the tests: the fake evaluator (alert-fixtures.ts)
 * behind a WorkerEntrypoint, as the real one serves AlertsService, so the dashboard's
 * ALERTS binding is exercised over real RPC. Bundled by global-setup.ts.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { AlertsService, Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { FakeAlerts } from "./alert-fixtures.ts";

const fake = new FakeAlerts();

export default class FakeAlertsWorker extends WorkerEntrypoint implements AlertsService {
  states(filter?: { rule?: string; tenant?: string }): Promise<RuleState[]> {
    return fake.states(filter);
  }

  history(limit: number): Promise<HistoryEntry[]> {
    return fake.history(limit);
  }

  deliveries(limit: number): Promise<Delivery[]> {
    return fake.deliveries(limit);
  }

  runs(limit: number): Promise<RunSummary[]> {
    return fake.runs(limit);
  }

  sendTest(webhook: string): Promise<Delivery> {
    return fake.sendTest(webhook);
  }

  evaluateNow(): Promise<RunSummary> {
    return fake.evaluateNow();
  }
}
