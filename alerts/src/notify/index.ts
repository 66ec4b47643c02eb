/**
 * Webhook notifications for the evaluator's Durable Object (the A–B interface of
 * ISSUE15-PLAN.md): the DO enqueues a delivery per webhook after an evaluation, calls
 * `attemptDue`, and sets its alarm to the time it answers; `alarm()` calls it again.
 * Everything lives in the DO's `ctx.storage.sql`, so retries survive eviction.
 */
export { DEFAULT_RETRY, attemptDue, backoffMs, type Fetcher, type RetryPolicy } from "./attempt.ts";
export { renderBody, summaryLine, valueText } from "./body.ts";
export { KEPT_DELIVERIES, enqueue, getDelivery, initDeliveries, listDeliveries } from "./store.ts";
