/**
 * Alert rules and webhooks: their KV records (`alert:<id>`, `webhook:<id>` in the plans
 * namespace, core/KV.md), validation, and the shapes the evaluator, the dashboard and the
 * CLI exchange. Rules are evaluated per tenant: a rule scoped to a plan, a customer or all
 * tenants has one state per tenant in scope, so "firing" always names a tenant.
 */
import { isCustomerId } from "./customers.ts";
import { isTenantName } from "./names.ts";
import { isPlanName } from "./plans.ts";
import { fail, isRecord, ok, type Result } from "./result.ts";

export const alertKeys = {
  rule: (id: string) => `alert:${id}`,
  webhook: (id: string) => `webhook:${id}`,
  rulePrefix: "alert:",
  webhookPrefix: "webhook:",
} as const;

export type AlertScope = { kind: "all" } | { kind: "tenant" | "plan" | "customer"; value: string };

export type LimitKind = "cpu" | "subrequests" | "any";
export type QuotaMetric = "invocations" | "cpu_ms";
export type ChangeMetric = "invocations" | "errors";

export type AlertCondition =
  /** Non-ok share of invocations over the window, at least `minInvocations` of them. */
  | { kind: "error_rate"; windowMinutes: number; threshold: number; minInvocations: number }
  /** Share of invocations that hit a limit of this kind. */
  | { kind: "limit_rate"; limit: LimitKind; windowMinutes: number; threshold: number; minInvocations: number }
  /** CPU p95 over the window at or above `share` × the plan's CPU limit (0.8 = 80 %). */
  | { kind: "cpu_p95"; windowMinutes: number; share: number; minInvocations: number }
  /**
   * Usage in the billing period against `amount`. The period is the UTC calendar month, or
   * consecutive spans of `periodSeconds` from the Unix epoch (tests shorten it). Fires at
   * 100 %, or when the linear forecast to the period's end passes `amount` if `onForecast`.
   * `stop`: at 100 % the tenant is stopped (429 quota_exceeded) until the period ends.
   */
  | { kind: "quota"; metric: QuotaMetric; amount: number; periodSeconds: number | null; onForecast: boolean; stop: boolean }
  /** The window against the previous window, or against the 7-day median of such windows. */
  | { kind: "change"; metric: ChangeMetric; windowMinutes: number; factor: number; baseline: "previous" | "median_7d"; minInvocations: number };

export interface AlertRule {
  id: string;
  name: string;
  scope: AlertScope;
  condition: AlertCondition;
  /** A still-firing rule notifies again after this many minutes. */
  cooldownMinutes: number;
  /** Webhook ids to notify. */
  webhooks: string[];
  enabled: boolean;
}

export interface Webhook {
  id: string;
  /** http(s) URL; deliveries POST here. */
  url: string;
  /** `json`: AlertNotification as is; `slack`: a Slack incoming-webhook body (`text`, `blocks`). */
  format: "json" | "slack";
  /** HMAC-SHA256 key. Never shown on pages, in logs, in audit entries or in answers. */
  secret: string;
}

/** What each delivery's body (format json) carries. */
export interface AlertNotification {
  /** `firing` once, `still_firing` after each cooldown, `resolved` once, `test` from the button. */
  event: "firing" | "still_firing" | "resolved" | "test";
  rule: { id: string; name: string; condition: AlertCondition["kind"] };
  scope: AlertScope;
  tenant: string;
  value: number;
  threshold: number;
  window: { from: string; to: string };
  /** When the rule started firing for this tenant (ISO). */
  since: string | null;
  at: string;
  links: { tenant: string; alerts: string };
  /** Quota rules: the forecast to the period's end, and when a stop lifts. */
  forecast?: number;
  stoppedUntil?: string;
}

/**
 * Deliveries carry `x-tenantscope-signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256(secret, `${t}.${body}`), and `x-tenantscope-delivery: <delivery id>`.
 */
export const SIGNATURE_HEADER = "x-tenantscope-signature";
export const DELIVERY_HEADER = "x-tenantscope-delivery";

export const ALERT_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;
export const MIN_SECRET_LENGTH = 16;
export const MAX_RULE_WEBHOOKS = 10;

export type AlertInvalid = "not_json" | "not_object" | "bad_field" | "unknown_field";

type Check<T> = Result<T, AlertInvalid>;
const bad = (message: string): { ok: false; reason: AlertInvalid; message: string } => fail("bad_field", message);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): Check<null> {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) return fail("unknown_field", `unknown ${what} field "${key}"`);
  return ok(null);
}

function intIn(v: unknown, min: number, max: number, name: string): Check<number> {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? ok(v) : bad(`${name} must be an integer from ${min} to ${max}`);
}

function numIn(v: unknown, min: number, max: number, name: string): Check<number> {
  return typeof v === "number" && Number.isFinite(v) && v > min && v <= max ? ok(v) : bad(`${name} must be a number above ${min} and at most ${max}`);
}

export function validateScope(value: unknown): Check<AlertScope> {
  if (!isRecord(value)) return fail("not_object", "scope must be an object");
  if (value.kind === "all") return onlyKeys(value, ["kind"], "scope").ok ? ok({ kind: "all" }) : fail("unknown_field", "scope all takes no value");
  const keys = onlyKeys(value, ["kind", "value"], "scope");
  if (!keys.ok) return keys;
  const v = value.value;
  if (typeof v !== "string") return bad("scope.value must be a string");
  if (value.kind === "tenant" && isTenantName(v)) return ok({ kind: "tenant", value: v });
  if (value.kind === "plan" && isPlanName(v)) return ok({ kind: "plan", value: v });
  if (value.kind === "customer" && isCustomerId(v)) return ok({ kind: "customer", value: v });
  if (value.kind !== "tenant" && value.kind !== "plan" && value.kind !== "customer") return bad("scope.kind must be all, tenant, plan or customer");
  return bad(`scope.value is not a valid ${value.kind} name`);
}

/** Each condition kind's fields (the forms pick these from their inputs). */
export const CONDITION_KEYS: Record<AlertCondition["kind"], readonly string[]> = {
  error_rate: ["kind", "windowMinutes", "threshold", "minInvocations"],
  limit_rate: ["kind", "limit", "windowMinutes", "threshold", "minInvocations"],
  cpu_p95: ["kind", "windowMinutes", "share", "minInvocations"],
  quota: ["kind", "metric", "amount", "periodSeconds", "onForecast", "stop"],
  change: ["kind", "metric", "windowMinutes", "factor", "baseline", "minInvocations"],
};

function isConditionKind(v: unknown): v is AlertCondition["kind"] {
  return typeof v === "string" && Object.hasOwn(CONDITION_KEYS, v);
}

/** Reads every field first, so the first bad one is named whatever the kind. */
export function validateCondition(value: unknown): Check<AlertCondition> {
  if (!isRecord(value)) return fail("not_object", "condition must be an object");
  if (!isConditionKind(value.kind)) return bad("condition.kind must be error_rate, limit_rate, cpu_p95, quota or change");
  const kind = value.kind;
  const keys = onlyKeys(value, CONDITION_KEYS[kind], "condition");
  if (!keys.ok) return keys;
  const window = () => intIn(value.windowMinutes, 1, MAX_WINDOW_MINUTES, "windowMinutes");
  const minInv = () => intIn(value.minInvocations ?? 1, 1, 1_000_000_000, "minInvocations");
  if (kind === "error_rate" || kind === "limit_rate") {
    const w = window(), t = numIn(value.threshold, 0, 1, "threshold"), m = minInv();
    if (!w.ok) return w;
    if (!t.ok) return t;
    if (!m.ok) return m;
    if (kind === "error_rate") return ok({ kind, windowMinutes: w.value, threshold: t.value, minInvocations: m.value });
    const limit = value.limit;
    if (limit !== "cpu" && limit !== "subrequests" && limit !== "any") return bad("limit must be cpu, subrequests or any");
    return ok({ kind, limit, windowMinutes: w.value, threshold: t.value, minInvocations: m.value });
  }
  if (kind === "cpu_p95") {
    const w = window(), s = numIn(value.share, 0, 100, "share"), m = minInv();
    if (!w.ok) return w;
    if (!s.ok) return s;
    if (!m.ok) return m;
    return ok({ kind, windowMinutes: w.value, share: s.value, minInvocations: m.value });
  }
  if (kind === "quota") {
    const metric = value.metric;
    if (metric !== "invocations" && metric !== "cpu_ms") return bad("metric must be invocations or cpu_ms");
    const a = numIn(value.amount, 0, 1e15, "amount");
    if (!a.ok) return a;
    const p = value.periodSeconds ?? null;
    if (p !== null && !intIn(p, 10, 366 * 86_400, "periodSeconds").ok) return bad("periodSeconds must be null (the UTC month) or an integer from 10 to 31622400");
    for (const flag of ["onForecast", "stop"] as const) {
      if (value[flag] !== undefined && typeof value[flag] !== "boolean") return bad(`${flag} must be true or false`);
    }
    return ok({ kind, metric, amount: a.value, periodSeconds: p as number | null, onForecast: value.onForecast === true, stop: value.stop === true });
  }
  const metric = value.metric;
  if (metric !== "invocations" && metric !== "errors") return bad("metric must be invocations or errors");
  const w = window(), f = numIn(value.factor, 1, 1_000_000, "factor"), m = minInv();
  if (!w.ok) return w;
  if (!f.ok) return f;
  if (!m.ok) return m;
  if (value.baseline !== "previous" && value.baseline !== "median_7d") return bad("baseline must be previous or median_7d");
  return ok({ kind, metric, windowMinutes: w.value, factor: f.value, baseline: value.baseline, minInvocations: m.value });
}

const RULE_KEYS = ["id", "name", "scope", "condition", "cooldownMinutes", "webhooks", "enabled"] as const;

export function validateRule(value: unknown): Check<AlertRule> {
  if (!isRecord(value)) return fail("not_object", "rule must be a JSON object");
  const keys = onlyKeys(value, RULE_KEYS, "rule");
  if (!keys.ok) return keys;
  if (typeof value.id !== "string" || !ALERT_ID_RE.test(value.id)) return bad("id must be lower-case letters, digits and dashes (at most 63)");
  const name = typeof value.name === "string" ? value.name.trim() : "";
  if (name === "" || name.length > 120) return bad("name must be 1 to 120 characters");
  const scope = validateScope(value.scope);
  if (!scope.ok) return scope;
  const condition = validateCondition(value.condition);
  if (!condition.ok) return condition;
  const cooldown = intIn(value.cooldownMinutes ?? 60, 1, 7 * 24 * 60, "cooldownMinutes");
  if (!cooldown.ok) return cooldown;
  const hooks = value.webhooks ?? [];
  if (!Array.isArray(hooks) || hooks.length > MAX_RULE_WEBHOOKS || !hooks.every((h) => typeof h === "string" && ALERT_ID_RE.test(h))) {
    return bad(`webhooks must be a list of at most ${MAX_RULE_WEBHOOKS} webhook ids`);
  }
  if (value.enabled !== undefined && typeof value.enabled !== "boolean") return bad("enabled must be true or false");
  return ok({ id: value.id, name, scope: scope.value, condition: condition.value, cooldownMinutes: cooldown.value, webhooks: [...new Set(hooks as string[])], enabled: value.enabled !== false });
}

export function validateWebhook(value: unknown): Check<Webhook> {
  if (!isRecord(value)) return fail("not_object", "webhook must be a JSON object");
  const keys = onlyKeys(value, ["id", "url", "format", "secret"], "webhook");
  if (!keys.ok) return keys;
  if (typeof value.id !== "string" || !ALERT_ID_RE.test(value.id)) return bad("id must be lower-case letters, digits and dashes (at most 63)");
  let url: URL | null = null;
  try {
    url = typeof value.url === "string" ? new URL(value.url) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
    return bad("url must be an http or https URL without credentials");
  }
  const format = value.format ?? "json";
  if (format !== "json" && format !== "slack") return bad("format must be json or slack");
  if (typeof value.secret !== "string" || value.secret.length < MIN_SECRET_LENGTH || value.secret.length > 256) {
    return bad(`secret must be ${MIN_SECRET_LENGTH} to 256 characters`);
  }
  return ok({ id: value.id, url: url.toString(), format, secret: value.secret });
}

function parse<T>(text: string, validate: (v: unknown) => Check<T>): Check<T> {
  try {
    return validate(JSON.parse(text) as unknown);
  } catch {
    return fail("not_json", "record is not valid JSON");
  }
}

export const parseRuleRecord = (text: string): Check<AlertRule> => parse(text, validateRule);
export const parseWebhookRecord = (text: string): Check<Webhook> => parse(text, validateWebhook);

/** The records in their one written form. */
export const ruleRecord = (rule: AlertRule): string => JSON.stringify(rule);
export const webhookRecord = (hook: Webhook): string => JSON.stringify(hook);

/** A webhook as pages, answers and audit entries show it: the secret replaced by a fingerprint's hint. */
export function webhookShown(hook: Webhook): Omit<Webhook, "secret"> & { secret: string } {
  return { id: hook.id, url: hook.url, format: hook.format, secret: `set (${hook.secret.length} characters)` };
}

/** Whether a tenant (with its plan and customer) is in a rule's scope. */
export function inScope(scope: AlertScope, tenant: { tenant: string; plan: string; customer: string }): boolean {
  if (scope.kind === "all") return true;
  if (scope.kind === "tenant") return tenant.tenant === scope.value;
  if (scope.kind === "plan") return tenant.plan === scope.value;
  return tenant.customer === scope.value;
}
