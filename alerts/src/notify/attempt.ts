/**
 * Sends due deliveries: signs each body at the moment of the attempt, POSTs it, and
 * records the outcome. A 2xx is delivered; a network error, a timeout, 408, 425, 429
 * or a 5xx is retried with exponential backoff (a Retry-After that asks for longer is
 * honoured, up to the cap) until `maxAttempts`; any other answer (a 3xx, which is not
 * followed, or a 4xx) fails at once: the receiver refused, and will again.
 */
import { retryAfterMs } from "@tenantscope/core/retry-after";
import { DELIVERY_HEADER, SIGNATURE_HEADER, type Webhook } from "@tenantscope/core/alerts";
import { signDelivery } from "@tenantscope/core/alert-signature";
import { urlShown } from "@tenantscope/core/alert-text";
import { renderBody } from "./body.ts";
import { abandon, claimDue, nextDue, recordAttempt, type AttemptOutcome, type DueDelivery } from "./store.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait after the first failed attempt; each later one doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** An attempt without an answer by then is a failed attempt. */
  timeoutMs: number;
}

/** 30 s, 1, 2, 4, 8 min: six attempts over about a quarter of an hour. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000, timeoutMs: 10_000 };

/** Deliveries attempted per call, and at once; more due ones are answered as due now. */
const BATCH = 25;
const PARALLEL = 6;
const MAX_ERROR = 200;

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

/** The wait after `failedAttempts` failures (1 = after the first). */
export function backoffMs(failedAttempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
}

const RETRYABLE = new Set([408, 425, 429]);

function retryOrFail(attempts: number, nowMs: number, policy: RetryPolicy, httpStatus: number | null, error: string, retryAfter: number | null): AttemptOutcome {
  if (attempts >= policy.maxAttempts) return { status: "failed", httpStatus, error: `${error}; gave up after ${attempts} attempts`, nextMs: null };
  const wait = Math.min(policy.maxDelayMs, Math.max(backoffMs(attempts, policy), retryAfter ?? 0));
  return { status: "pending", httpStatus, error, nextMs: nowMs + wait };
}

/** An error as the log keeps it: short, and without the webhook's URL (its query may hold a token) or secret. */
function cleanError(error: unknown, hook: Webhook): string {
  const raw = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  return raw.replaceAll(hook.url, urlShown(hook.url)).replaceAll(hook.secret, "[secret]").slice(0, MAX_ERROR);
}

async function attemptOne(due: DueDelivery, hook: Webhook, nowMs: number, fetcher: Fetcher, policy: RetryPolicy): Promise<AttemptOutcome> {
  const attempts = due.attempts + 1;
  const body = renderBody(hook.format, due.notification);
  const headers = {
    "content-type": "application/json",
    "user-agent": "tenantscope-alerts",
    [SIGNATURE_HEADER]: await signDelivery(hook.secret, body, nowMs / 1000),
    [DELIVERY_HEADER]: due.id,
  };
  let res: Response;
  try {
    res = await fetcher(hook.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(policy.timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return retryOrFail(attempts, nowMs, policy, null, timedOut ? `no answer within ${policy.timeoutMs / 1000} s` : cleanError(error, hook), null);
  }
  // The answer's body is not read (or kept): only its status counts.
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { status: "delivered", httpStatus: res.status, error: null, nextMs: null };
  const error = `answered ${res.status}`;
  if (res.status >= 500 || RETRYABLE.has(res.status)) {
    return retryOrFail(attempts, nowMs, policy, res.status, error, retryAfterMs(res.headers.get("retry-after"), nowMs));
  }
  const why = res.status >= 300 && res.status < 400 ? `${error} (redirects are not followed)` : error;
  return { status: "failed", httpStatus: res.status, error: why, nextMs: null };
}

async function inParallel<T>(items: T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await each(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Attempts every due delivery (up to a batch); answers the next due time (ms) for the
 * Durable Object's alarm, or null when nothing is pending.
 */
export async function attemptDue(
  sql: SqlStorage,
  hook: (id: string) => Webhook | null,
  nowMs: number,
  fetcher: Fetcher,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<number | null> {
  const due = claimDue(sql, nowMs, BATCH, nowMs + policy.timeoutMs + 5_000);
  await inParallel(due, PARALLEL, async (d) => {
    const target = hook(d.webhook);
    if (target === null) {
      abandon(sql, d.id, `webhook ${d.webhook} no longer exists`);
      return;
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptOne(d, target, nowMs, fetcher, policy);
    } catch (error) {
      // Not the receiver's doing (a notification that cannot be rendered or signed): kept for a retry, like a network error.
      outcome = retryOrFail(d.attempts + 1, nowMs, policy, null, `could not send: ${cleanError(error, target)}`, null);
    }
    recordAttempt(sql, d.id, outcome);
  });
  return nextDue(sql);
}
