/**
 * Vars and secrets → validated settings. A problem names the setting (never its value,
 * which may be secret); the run records it as its error, so the Alerts page shows it.
 */
import { sqlSettingsOf, type SqlSettings } from "@tenantscope/core/sql-settings";
import { parseDefaultPlan } from "@tenantscope/core/vars";

export class ConfigError extends Error {
  constructor(message: string) {
    super(`The alert evaluator is misconfigured: ${message}`);
    this.name = "ConfigError";
  }
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** The SQL endpoint with the account filled in, and the API token (core/sql-settings.ts, as the dashboard reads them). */
export function sqlSettings(env: Pick<Env, "AE_SQL_URL" | "CF_ACCOUNT_ID" | "CF_API_TOKEN">): SqlSettings {
  const settings = sqlSettingsOf(env);
  if (!settings.ok) throw new ConfigError(settings.message);
  return settings.value;
}

export function defaultPlan(env: Pick<Env, "DEFAULT_PLAN">): string {
  const plan = parseDefaultPlan(env.DEFAULT_PLAN);
  if (!plan.ok) throw new ConfigError(`var ${plan.message}.`);
  return plan.value;
}

/** The dashboard's base URL for links; "" (unset) gives links relative to the dashboard. */
export function dashboardUrl(env: Pick<Env, "DASHBOARD_URL">): string {
  if (!present(env.DASHBOARD_URL)) return "";
  const url = env.DASHBOARD_URL.trim().replace(/\/+$/, "");
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error("not http");
  } catch {
    throw new ConfigError("var DASHBOARD_URL is not an http(s) URL.");
  }
  return url;
}
