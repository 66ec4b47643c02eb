/**
 * What the alert evaluator keeps and shows: each rule's state per tenant, its history and
 * the webhook deliveries. The evaluator Worker (`tenantscope-alerts`) owns this state and
 * serves it over RPC (`AlertsService`) to the dashboard's `ALERTS` service binding.
 */
import type { AlertNotification } from "./alerts.ts";

export type AlertStatus = "ok" | "firing";

/** One rule's state for one tenant while it fires (an ok pair has no state). */
export interface RuleState {
  rule: string;
  tenant: string;
  status: AlertStatus;
  /** When it started firing (ISO), null while ok. */
  since: string | null;
  /** The last notification sent for this state (ISO). */
  lastNotified: string | null;
  /** The value and threshold at the last evaluation. */
  value: number;
  threshold: number;
  evaluatedAt: string;
}

export interface HistoryEntry {
  at: string;
  rule: string;
  tenant: string;
  event: "firing" | "still_firing" | "resolved" | "stopped" | "resumed";
  value: number;
  threshold: number;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface Delivery {
  id: string;
  webhook: string;
  /** The webhook's URL with any query string dropped (it may hold a token). */
  url: string;
  event: AlertNotification["event"];
  rule: string;
  tenant: string;
  status: DeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt, or null for a network failure. */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  /** When the next retry is due, while pending. */
  nextAttemptAt: string | null;
}

/** One evaluation run, for the Alerts page and the closing figures. */
export interface RunSummary {
  at: string;
  rules: number;
  tenants: number;
  sqlQueries: number;
  cpuMs: number | null;
  wallMs: number;
  error: string | null;
}

/** The evaluator's RPC surface (a WorkerEntrypoint's methods). */
export interface AlertsService {
  /** The states of rule-and-tenant pairs that fire now; a pair not answered is ok. */
  states(filter?: { rule?: string; tenant?: string }): Promise<RuleState[]>;
  history(limit: number, filter?: { rule?: string; tenant?: string }): Promise<HistoryEntry[]>;
  deliveries(limit: number): Promise<Delivery[]>;
  runs(limit: number): Promise<RunSummary[]>;
  /** Sends a `test` notification to one webhook now and answers its delivery. */
  sendTest(webhook: string): Promise<Delivery>;
  /** Runs one evaluation now (the dev runner's short interval and tests). */
  evaluateNow(): Promise<RunSummary>;
}

/** One delivery as the local webhook inbox keeps and answers it (`GET /_local/inbox`; the CLI's `alert inbox` reads it). */
export interface InboxEntry {
  seq: number;
  receivedAt: string;
  webhook: string;
  /** The x-tenantscope-delivery header (the evaluator's delivery id), if any. */
  delivery: string | null;
  /** The x-tenantscope-signature header as received (an HMAC, not the secret), so a test can check it again. */
  signature: string | null;
  /** Whether the x-tenantscope-signature header verified under the webhook's secret. */
  verified: boolean;
  /** Why it did not verify. */
  reason: string | null;
  event: string | null;
  rule: string | null;
  tenant: string | null;
  /** The body as received (JSON text for the evaluator's deliveries). */
  body: string;
}
