/**
 * The bindings the dashboard uses, written as the narrow shapes it calls. The
 * generated `Env` (worker-configuration.d.ts) must satisfy this, which index.ts
 * checks; tests pass the real local bindings plus their own values.
 */
import type { AuditLog } from "./audit.ts";

/** Vars and secrets arrive as strings; config.ts validates them. Optional: a deploy can drop one. */
export interface DashboardVars {
  AE_SQL_URL?: string;
  DEFAULT_PLAN?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  SESSION_TTL_SECONDS?: string;
  CF_ACCOUNT_ID?: string;
  CF_API_TOKEN?: string;
  DASHBOARD_USERS?: string;
  SESSION_SECRET?: string;
}

/** The KV methods the dashboard calls; `KVNamespace` satisfies it. */
export interface PlansKV {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  list(options: { prefix: string; limit?: number; cursor?: string }): Promise<{
    keys: { name: string }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

export interface DashboardEnv extends DashboardVars {
  PLANS: PlansKV;
  AUDIT: DurableObjectNamespace<AuditLog>;
}
