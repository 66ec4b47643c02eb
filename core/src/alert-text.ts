/**
 * Rules and webhooks in words, the same on the dashboard, in the CLI and in notification
 * texts: "error rate ≥ 20 % over 5 min (at least 20 invocations)".
 */
import { parseWebhookRecord, webhookShown, type AlertCondition, type AlertScope, type Webhook } from "./alerts.ts";

const pct = (share: number): string => `${Number((share * 100).toFixed(2))} %`;
const num = (n: number): string => n.toLocaleString("en-US");
const min = (m: number): string => (m % 1440 === 0 ? `${m / 1440} d` : m % 60 === 0 ? `${m / 60} h` : `${m} min`);

export function describeScope(scope: AlertScope): string {
  return scope.kind === "all" ? "all tenants" : `${scope.kind} ${scope.value}`;
}

export function describePeriod(periodSeconds: number | null): string {
  return periodSeconds === null ? "the UTC month" : `${num(periodSeconds)} s periods`;
}

export function describeCondition(c: AlertCondition): string {
  const atLeast = (n: number): string => (n > 1 ? ` (at least ${num(n)} invocations)` : "");
  switch (c.kind) {
    case "error_rate":
      return `error rate ≥ ${pct(c.threshold)} over ${min(c.windowMinutes)}${atLeast(c.minInvocations)}`;
    case "limit_rate":
      return `${c.limit === "any" ? "limit" : `${c.limit} limit`} violations ≥ ${pct(c.threshold)} over ${min(c.windowMinutes)}${atLeast(c.minInvocations)}`;
    case "cpu_p95":
      return `CPU p95 ≥ ${pct(c.share)} of the plan's limit over ${min(c.windowMinutes)}${atLeast(c.minInvocations)}`;
    case "quota": {
      const what = c.metric === "invocations" ? `${num(c.amount)} invocations` : `${num(c.amount)} CPU ms`;
      const extras = [c.onForecast ? "on forecast" : "", c.stop ? "stops the tenant at 100 %" : ""].filter((s) => s !== "");
      return `quota of ${what} per ${describePeriod(c.periodSeconds)}${extras.length === 0 ? "" : ` (${extras.join(", ")})`}`;
    }
    case "change": {
      const base = c.baseline === "previous" ? "the previous window" : "the 7-day median";
      return `${c.metric} over ${min(c.windowMinutes)} ≥ ${num(c.factor)}× ${base}${atLeast(c.minInvocations)}`;
    }
  }
}

/** A webhook's URL as shown: without its query string, which may hold a token. */
export function urlShown(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return "(invalid URL)";
  parsed.search = "";
  parsed.hash = "";
  return parsed.toString();
}

/** A webhook as pages, answers and the CLI show it: the URL without its query, the secret only as "set". */
export function webhookView(hook: Webhook): { id: string; url: string; format: Webhook["format"]; secret: string } {
  return { ...webhookShown(hook), url: urlShown(hook.url) };
}

/**
 * How a webhook record appears in an audit entry (`AuditChange.shown`): never with its
 * secret or its URL's query, even when the record is invalid and cannot be read.
 */
export function webhookAuditText(text: string): string {
  const parsed = parseWebhookRecord(text);
  return parsed.ok ? JSON.stringify(webhookView(parsed.value)) : "(an invalid webhook record, not shown: it may hold a secret)";
}
