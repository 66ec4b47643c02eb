/**
 * Alert rules and webhooks in the plans KV (`alert:<id>`, `webhook:<id>`, core/KV.md),
 * through the KV REST API, read and written only in core/src/alerts.ts's formats, every
 * write through the one audit log. A webhook's secret reaches neither the audit entry
 * (`webhookAuditText`) nor anything this module answers for printing.
 */
import { webhookAuditText } from "@tenantscope/core/alert-text";
import { applyChange, type AuditEntry } from "@tenantscope/core/audit";
import {
  alertKeys,
  parseRuleRecord,
  parseWebhookRecord,
  ruleRecord,
  validateRule,
  validateWebhook,
  webhookRecord,
  type AlertRule,
  type Webhook,
} from "@tenantscope/core/alerts";
import { CliError, UsageError } from "./errors.ts";
import { auditIdentity, type PlansStore } from "./kv.ts";
import type { Env } from "./target.ts";

/** A record as listed: valid, or the reason the evaluator ignores it. */
export type Listed<T> = { id: string; ok: true; value: T } | { id: string; ok: false; problem: string };

export class AlertStore {
  private readonly kv: PlansStore;
  private readonly who: { actor: string; via: string };

  constructor(kv: PlansStore, env: Env) {
    this.kv = kv;
    this.who = auditIdentity(env);
  }

  private async all<T>(prefix: string, parse: (text: string) => { ok: true; value: T } | { ok: false; message: string }): Promise<Listed<T>[]> {
    const out: Listed<T>[] = [];
    for (const key of await this.kv.keys(prefix)) {
      const text = await this.kv.get(key);
      if (text === null) continue; // deleted between list and read
      const parsed = parse(text);
      const id = key.slice(prefix.length);
      out.push(parsed.ok ? { id, ok: true, value: parsed.value } : { id, ok: false, problem: parsed.message });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  rules(): Promise<Listed<AlertRule>[]> {
    return this.all(alertKeys.rulePrefix, parseRuleRecord);
  }

  webhooks(): Promise<Listed<Webhook>[]> {
    return this.all(alertKeys.webhookPrefix, parseWebhookRecord);
  }

  /** The rule, null when there is none; an invalid record is an error that says how to fix it. */
  async rule(id: string): Promise<AlertRule | null> {
    const text = await this.kv.get(alertKeys.rule(id));
    if (text === null) return null;
    const parsed = parseRuleRecord(text);
    if (!parsed.ok) throw new CliError(`the KV record ${alertKeys.rule(id)} is invalid (${parsed.message}); replace it with "alert set ${id} --file <rule.json>" or delete it`);
    return parsed.value;
  }

  async webhook(id: string): Promise<Webhook | null> {
    const text = await this.kv.get(alertKeys.webhook(id));
    if (text === null) return null;
    const parsed = parseWebhookRecord(text);
    if (!parsed.ok) throw new CliError(`the KV record ${alertKeys.webhook(id)} is invalid (${parsed.message}); replace it with "alert webhook-set ${id}" or delete it`);
    return parsed.value;
  }

  async exists(kind: "rule" | "webhook", id: string): Promise<boolean> {
    return (await this.kv.get(kind === "rule" ? alertKeys.rule(id) : alertKeys.webhook(id))) !== null;
  }

  /** Validates and writes the rule, audited. */
  async setRule(input: unknown): Promise<{ rule: AlertRule; entry: AuditEntry }> {
    const valid = validateRule(input);
    if (!valid.ok) throw new UsageError(`rule not saved: ${valid.message}`);
    const entry = await applyChange(this.kv, { ...this.who, action: "alert", key: alertKeys.rule(valid.value.id), value: ruleRecord(valid.value), fallback: null });
    return { rule: valid.value, entry };
  }

  async setWebhook(input: unknown): Promise<{ webhook: Webhook; entry: AuditEntry }> {
    const valid = validateWebhook(input);
    if (!valid.ok) throw new UsageError(`webhook not saved: ${valid.message}`);
    const entry = await applyChange(this.kv, {
      ...this.who,
      action: "webhook",
      key: alertKeys.webhook(valid.value.id),
      value: webhookRecord(valid.value),
      fallback: null,
      shown: webhookAuditText,
    });
    return { webhook: valid.value, entry };
  }

  deleteRule(id: string): Promise<AuditEntry> {
    return applyChange(this.kv, { ...this.who, action: "alert", key: alertKeys.rule(id), value: null, fallback: null });
  }

  deleteWebhook(id: string): Promise<AuditEntry> {
    return applyChange(this.kv, { ...this.who, action: "webhook", key: alertKeys.webhook(id), value: null, fallback: null, shown: webhookAuditText });
  }
}
