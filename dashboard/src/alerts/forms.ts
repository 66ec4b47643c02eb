/**
 * The Alerts page's forms → core's validators. Inputs arrive as strings: numbers are
 * converted only when they look like numbers (anything else is left for the validator to
 * name), and only the chosen condition kind's fields are taken, so the blank inputs of the
 * other kinds do not count. A refusal names the field it is about, so the page can show
 * the reason beside it and keep every value as typed.
 */
import { CONDITION_KEYS, validateRule, validateWebhook, type AlertRule, type Webhook } from "@tenantscope/core/alerts";

export const RULE_INPUTS = [
  "id", "name", "scopeKind", "scopeValue", "kind", "windowMinutes", "threshold", "minInvocations", "limit", "share",
  "metric", "amount", "periodSeconds", "onForecast", "stop", "factor", "baseline", "cooldownMinutes", "enabled",
] as const;
export type RuleInput = (typeof RULE_INPUTS)[number];

/** What the form sent, as typed: shown again when it is refused. */
export interface RuleFormValues {
  values: Partial<Record<RuleInput, string>>;
  webhooks: string[];
}

export interface Refusal {
  /** The input the reason is about, or null for the form as a whole. */
  field: string | null;
  message: string;
}

type Form = Record<string, string | File | (string | File)[]>;

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : undefined);
const checked = (v: string | undefined): boolean => v === "on" || v === "true";

function formNumber(v: string | undefined): unknown {
  if (v === undefined || v.trim() === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
}

export function ruleFormValues(form: Form): RuleFormValues {
  const values: Partial<Record<RuleInput, string>> = {};
  for (const name of RULE_INPUTS) {
    const v = text(form[name]);
    if (v !== undefined) values[name] = v;
  }
  const raw = form.webhooks;
  const webhooks = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((w): w is string => typeof w === "string" && w !== "");
  return { values, webhooks };
}

/** The record the form describes (unvalidated). */
export function ruleFromForm(f: RuleFormValues): Record<string, unknown> {
  const v = f.values;
  const kind = v.kind ?? "";
  const condition: Record<string, unknown> = { kind };
  const keys: readonly string[] = Object.hasOwn(CONDITION_KEYS, kind) ? (CONDITION_KEYS[kind as AlertRule["condition"]["kind"]] ?? []) : [];
  for (const key of keys) {
    if (key === "kind") continue;
    const input = v[key as RuleInput];
    if (key === "onForecast" || key === "stop") condition[key] = checked(input);
    else if (key === "periodSeconds") condition[key] = input === undefined || input.trim() === "" ? null : formNumber(input);
    else if (key === "limit" || key === "metric" || key === "baseline") condition[key] = input === "" ? undefined : input;
    else condition[key] = formNumber(input);
  }
  const scope = v.scopeKind === "all" ? { kind: "all" } : { kind: v.scopeKind, value: (v.scopeValue ?? "").trim() };
  return {
    id: (v.id ?? "").trim(),
    name: v.name ?? "",
    scope,
    condition,
    cooldownMinutes: formNumber(v.cooldownMinutes),
    webhooks: f.webhooks,
    enabled: checked(v.enabled),
  };
}

/** The validator's message starts with the field it is about. */
const FIELD_OF: Record<string, string> = {
  id: "id", name: "name", "scope.kind": "scopeKind", "scope.value": "scopeValue", scope: "scopeKind", "condition.kind": "kind",
  windowMinutes: "windowMinutes", threshold: "threshold", minInvocations: "minInvocations", limit: "limit", share: "share",
  metric: "metric", amount: "amount", periodSeconds: "periodSeconds", onForecast: "onForecast", stop: "stop", factor: "factor",
  baseline: "baseline", cooldownMinutes: "cooldownMinutes", webhooks: "webhooks", enabled: "enabled", url: "url", format: "format", secret: "secret",
};

export function refusal(message: string): Refusal {
  const first = /^([A-Za-z.]+) /.exec(message)?.[1];
  return { field: first === undefined ? null : (FIELD_OF[first] ?? null), message };
}

export function checkRule(f: RuleFormValues): { ok: true; rule: AlertRule } | { ok: false; refusal: Refusal } {
  const valid = validateRule(ruleFromForm(f));
  return valid.ok ? { ok: true, rule: valid.value } : { ok: false, refusal: refusal(valid.message) };
}

/** What the webhook form sent; the secret is never kept for showing again. */
export interface WebhookFormValues {
  id: string;
  url: string;
  format: string;
}

export function webhookFormValues(form: Form): WebhookFormValues & { secret: string } {
  return { id: (text(form.id) ?? "").trim(), url: (text(form.url) ?? "").trim(), format: text(form.format) ?? "json", secret: text(form.secret) ?? "" };
}

/** Blank URL or secret keeps the current webhook's; a new webhook needs both. */
export function checkWebhook(f: WebhookFormValues & { secret: string }, current: Webhook | null): { ok: true; webhook: Webhook } | { ok: false; refusal: Refusal } {
  const url = f.url === "" ? current?.url : f.url;
  const secret = f.secret === "" ? current?.secret : f.secret;
  if (url === undefined) return { ok: false, refusal: { field: "url", message: "url is required for a new webhook" } };
  if (secret === undefined) return { ok: false, refusal: { field: "secret", message: "secret is required for a new webhook (at least 16 characters)" } };
  const valid = validateWebhook({ id: f.id, url, format: f.format, secret });
  return valid.ok ? { ok: true, webhook: valid.value } : { ok: false, refusal: refusal(valid.message) };
}

/** A rule as the form shows it for editing. */
export function ruleFormOf(rule: AlertRule): RuleFormValues {
  const c: Record<string, unknown> = { ...rule.condition };
  const values: Partial<Record<RuleInput, string>> = {
    id: rule.id,
    name: rule.name,
    scopeKind: rule.scope.kind,
    scopeValue: rule.scope.kind === "all" ? "" : rule.scope.value,
    cooldownMinutes: String(rule.cooldownMinutes),
    enabled: rule.enabled ? "on" : "",
  };
  for (const [key, value] of Object.entries(c)) {
    if (typeof value === "boolean") values[key as RuleInput] = value ? "on" : "";
    else if (typeof value === "number" || typeof value === "string") values[key as RuleInput] = String(value);
  }
  return { values, webhooks: rule.webhooks };
}
