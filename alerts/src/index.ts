/**
 * tenantscope alerts: the evaluator Worker. A cron trigger runs one evaluation a minute
 * in the AlertState Durable Object, which keeps each rule's state, history and the webhook
 * deliveries. The default export is the RPC entrypoint the dashboard's ALERTS binding
 * calls (AlertsService, core/alert-state.ts).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { AlertsService, Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";
import { AlertState } from "./state.ts";

export { AlertState };

/** One Durable Object holds every rule's state: evaluations are serialised by it. */
function stateStub(env: Env): DurableObjectStub<AlertState> {
  return env.STATE.get(env.STATE.idFromName("alerts"));
}

export default class AlertsWorker extends WorkerEntrypoint<Env> implements AlertsService {
  override async scheduled(): Promise<void> {
    await stateStub(this.env).evaluateNow();
  }

  async states(filter?: { rule?: string; tenant?: string }): Promise<RuleState[]> {
    return stateStub(this.env).states(filter);
  }

  async history(limit: number, filter?: { rule?: string; tenant?: string }): Promise<HistoryEntry[]> {
    return stateStub(this.env).history(limit, filter);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    return stateStub(this.env).deliveries(limit);
  }

  async runs(limit: number): Promise<RunSummary[]> {
    return stateStub(this.env).runs(limit);
  }

  async sendTest(webhook: string): Promise<Delivery> {
    return stateStub(this.env).sendTest(webhook);
  }

  async evaluateNow(): Promise<RunSummary> {
    return stateStub(this.env).evaluateNow();
  }
}
