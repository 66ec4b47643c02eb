/** What the Alerts tests share: requests as the operator, a rule's form fields, the binding of a fake evaluator. */
import type { AlertsService } from "@tenantscope/core/alert-state";
import type { AuditEntry } from "@tenantscope/core/audit";
import { harness, json, type Harness } from "./helpers.ts";

/** The binding as the dashboard gets it: the generated type is a plain Fetcher (src/alerts/service.ts). */
export function bindAlerts(service: AlertsService | undefined): Partial<Env> {
  return { ALERTS: service as unknown as Fetcher };
}

export const FORM = { "content-type": "application/x-www-form-urlencoded" };
export const JSON_BODY = { "content-type": "application/json" };
export const SECRET = "the-webhook-secret-0123456789";

export function post(h: Harness, path: string, fields: [string, string][]): Promise<Response> {
  return h.request(path, { method: "POST", as: "operator", headers: FORM, body: new URLSearchParams(fields).toString() });
}

export function putJson(h: Harness, path: string, value: unknown): Promise<Response> {
  return h.request(path, { method: "PUT", as: "operator", headers: JSON_BODY, body: JSON.stringify(value) });
}

export const ruleFields = (id: string, extra: [string, string][] = []): [string, string][] => [
  ["id", id], ["name", `Rule ${id}`], ["scopeKind", "all"], ["scopeValue", ""], ["kind", "error_rate"], ["windowMinutes", "5"], ["threshold", "0.2"],
  ["minInvocations", "20"], ["share", ""], ["amount", ""], ["cooldownMinutes", "30"], ["enabled", "on"], ...extra,
];

export const withField = (fields: [string, string][], name: string, value: string): [string, string][] => fields.map(([k, v]) => [k, k === name ? value : v]);

export async function latestEntry(key: string): Promise<AuditEntry | undefined> {
  const h = harness();
  const { entries } = await json<{ entries: AuditEntry[] }>(await h.request("/api/audit?limit=100", { as: "operator" }));
  return entries.find((e) => e.key === key);
}

