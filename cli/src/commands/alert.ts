/**
 * `tenantscope alert …`: alert rules and webhooks in the plans KV (alert-rules.ts,
 * alert-webhooks.ts); what the evaluator saw, through the dashboard (alert-status.ts).
 */
import type { Group } from "../command.ts";
import { inboxCommand } from "./alert-inbox.ts";
import { ruleCommands } from "./alert-rules.ts";
import { statusCommands } from "./alert-status.ts";
import { webhookCommands } from "./alert-webhooks.ts";

export const alertGroup: Group = {
  summary: "alert rules and webhooks (KV, audited; secrets never shown)",
  // The inbox is the local stack's (pnpm dev); the others work on Cloudflare too.
  commands: { ...ruleCommands, ...webhookCommands, ...statusCommands, inbox: inboxCommand },
};
