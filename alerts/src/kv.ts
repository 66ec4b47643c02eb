/**
 * Rules and webhooks from the PLANS KV (core/KV.md). An invalid record is skipped and
 * named in the log (by key and reason, never by value: a webhook record holds its secret).
 */
import { alertKeys, parseRuleRecord, parseWebhookRecord, type AlertRule, type Webhook } from "@tenantscope/core/alerts";
import type { Result } from "@tenantscope/core/result";

type PlansKV = Env["PLANS"];

export interface AlertConfig {
  rules: AlertRule[];
  webhooks: Map<string, Webhook>;
}

async function keysUnder(kv: PlansKV, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
    names.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return names;
}

async function records<T extends { id: string }>(kv: PlansKV, prefix: string, parse: (text: string) => Result<T, string>): Promise<T[]> {
  const keys = await keysUnder(kv, prefix);
  const values = await Promise.all(keys.map((k) => kv.get(k)));
  const out: T[] = [];
  keys.forEach((key, i) => {
    const text = values[i];
    if (text === null || text === undefined) return; // deleted between the list and the read
    const parsed = parse(text);
    if (!parsed.ok) console.error(`tenantscope-alerts: skipping ${key}: ${parsed.message}`);
    else if (`${prefix}${parsed.value.id}` !== key) console.error(`tenantscope-alerts: skipping ${key}: its id is "${parsed.value.id}"`);
    else out.push(parsed.value);
  });
  return out;
}

export async function loadWebhooks(kv: PlansKV): Promise<Map<string, Webhook>> {
  const hooks = await records(kv, alertKeys.webhookPrefix, parseWebhookRecord);
  return new Map(hooks.map((h) => [h.id, h]));
}

export async function loadConfig(kv: PlansKV): Promise<AlertConfig> {
  const [rules, hooks] = await Promise.all([records(kv, alertKeys.rulePrefix, parseRuleRecord), records(kv, alertKeys.webhookPrefix, parseWebhookRecord)]);
  return { rules, webhooks: new Map(hooks.map((h) => [h.id, h])) };
}
