/**
 * The AlertState Durable Object (SQLite): rule states, history, run summaries and the
 * webhook deliveries. Skeleton: the evaluation lands in the following commits.
 */
import { DurableObject } from "cloudflare:workers";
import type { Delivery, HistoryEntry, RuleState, RunSummary } from "@tenantscope/core/alert-state";

export class AlertState extends DurableObject<Env> {
  async states(_filter?: { rule?: string; tenant?: string }): Promise<RuleState[]> {
    return [];
  }

  async history(_limit: number, _filter?: { rule?: string; tenant?: string }): Promise<HistoryEntry[]> {
    return [];
  }

  async deliveries(_limit: number): Promise<Delivery[]> {
    return [];
  }

  async runs(_limit: number): Promise<RunSummary[]> {
    return [];
  }

  async sendTest(webhook: string): Promise<Delivery> {
    throw new Error(`sendTest(${webhook}) is not implemented yet`);
  }

  async evaluateNow(): Promise<RunSummary> {
    const at = new Date().toISOString();
    return { at, rules: 0, tenants: 0, sqlQueries: 0, cpuMs: null, wallMs: 0, error: null };
  }
}
