/**
 * The alert records the dev stack seeds, through the audit log like any operator change:
 * - webhook `local-inbox`: the local inbox (local/src/api/inbox.ts) with a generated
 *   secret, kept in the local KV (and so in the state folder) across restarts; only its
 *   URL follows the API's port.
 * - rule `demo-fanout-errors`, which `pnpm demo --incident` sets off: fanout's error rate
 *   over one minute at 50 % or more, from 20 invocations. Written once: an operator's
 *   edit or deletion is kept.
 */
import { randomBytes } from "node:crypto";
import { alertKeys, parseWebhookRecord, ruleRecord, webhookRecord, type AlertRule, type Webhook } from "@tenantscope/core/alerts";
import { webhookAuditText } from "@tenantscope/core/alert-text";
import { auditedWrite } from "./seed-audit.ts";
import { apiPaths, type LocalApiClient } from "./seed.ts";

export const INBOX_WEBHOOK = "local-inbox";
export const INCIDENT_TENANT = "fanout";
export const DEMO_RULE: AlertRule = {
  id: "demo-fanout-errors",
  name: "fanout error rate (pnpm demo --incident)",
  scope: { kind: "tenant", value: INCIDENT_TENANT },
  condition: { kind: "error_rate", windowMinutes: 1, threshold: 0.5, minInvocations: 20 },
  cooldownMinutes: 5,
  webhooks: [INBOX_WEBHOOK],
  enabled: true,
};

export type SeedState = "created" | "updated" | "kept";

export interface AlertSeed {
  webhook: { id: string; url: string; state: SeedState };
  rule: { id: string; state: SeedState | "deleted" };
}

/** The inbox URL of the local API at `apiUrl`. */
export const inboxUrl = (apiUrl: string, webhook = INBOX_WEBHOOK): string => `${apiUrl.replace(/\/$/, "")}/_local/inbox/${webhook}`;

async function current(api: LocalApiClient, key: string): Promise<string | null> {
  const answer = await api.expect("GET", apiPaths.kvValue(key), {}, [404]);
  return answer.status === 404 ? null : answer.text;
}

async function seedWebhook(api: LocalApiClient, url: string): Promise<AlertSeed["webhook"]> {
  const key = alertKeys.webhook(INBOX_WEBHOOK);
  const existing = await current(api, key);
  const kept = existing === null ? null : parseWebhookRecord(existing);
  if (kept?.ok === true && kept.value.url === url) return { id: INBOX_WEBHOOK, url, state: "kept" };
  // A new port keeps the secret; a missing or broken record gets a new one.
  const hook: Webhook = { id: INBOX_WEBHOOK, url, format: kept?.ok === true ? kept.value.format : "json", secret: kept?.ok === true ? kept.value.secret : randomBytes(24).toString("base64url") };
  await auditedWrite(api, { action: "webhook", key, value: webhookRecord(hook), shown: webhookAuditText });
  return { id: INBOX_WEBHOOK, url, state: existing === null ? "created" : "updated" };
}

/** A rule the seed wrote once and someone deleted stays deleted: the audit log says so. */
async function seedRule(api: LocalApiClient, seededBefore: boolean): Promise<AlertSeed["rule"]> {
  const key = alertKeys.rule(DEMO_RULE.id);
  const existing = await current(api, key);
  if (existing !== null) return { id: DEMO_RULE.id, state: "kept" };
  if (seededBefore) return { id: DEMO_RULE.id, state: "deleted" };
  await auditedWrite(api, { action: "alert", key, value: ruleRecord(DEMO_RULE) });
  return { id: DEMO_RULE.id, state: "created" };
}

export async function seedAlerts(api: LocalApiClient, apiUrl: string): Promise<AlertSeed> {
  const hadWebhook = (await current(api, alertKeys.webhook(INBOX_WEBHOOK))) !== null;
  const webhook = await seedWebhook(api, inboxUrl(apiUrl));
  const rule = await seedRule(api, hadWebhook);
  return { webhook, rule };
}
