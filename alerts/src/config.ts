/**
 * Vars and secrets → validated settings. A problem names the setting (never its value,
 * which may be secret); the run records it as its error, so the Alerts page shows it.
 */
import { parseDefaultPlan } from "@tenantscope/core/vars";

export class ConfigError extends Error {
  constructor(message: string) {
    super(`The alert evaluator is misconfigured: ${message}`);
    this.name = "ConfigError";
  }
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** The SQL endpoint with the account filled in, and the API token (as the dashboard's config.ts reads them). */
export function sqlSettings(env: Pick<Env, "AE_SQL_URL" | "CF_ACCOUNT_ID" | "CF_API_TOKEN">): { url: string; token: string } {
  if (!present(env.AE_SQL_URL)) throw new ConfigError("var AE_SQL_URL is not set.");
  let url = env.AE_SQL_URL.trim();
  if (url.includes("{account}")) {
    if (!present(env.CF_ACCOUNT_ID) || !/^[A-Za-z0-9_-]{1,64}$/.test(env.CF_ACCOUNT_ID.trim())) throw new ConfigError("secret CF_ACCOUNT_ID is not set to an account id.");
    url = url.replace("{account}", env.CF_ACCOUNT_ID.trim());
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError("var AE_SQL_URL is not a URL.");
  }
  // The token travels with every query: plain HTTP only to this machine (local dev).
  if (parsed.protocol !== "https:" && parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost") {
    throw new ConfigError("var AE_SQL_URL must use https (http only for 127.0.0.1 or localhost).");
  }
  if (!present(env.CF_API_TOKEN)) throw new ConfigError("secret CF_API_TOKEN is not set.");
  return { url: parsed.href, token: env.CF_API_TOKEN.trim() };
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
