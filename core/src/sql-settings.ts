/**
 * Where the Analytics Engine SQL API is and the token for it, from a Worker's vars and
 * secrets (the dashboard's and the alert evaluator's, the same names in both). A problem
 * names the setting, never its value, which may be secret; each Worker wraps the message
 * in its own error.
 */
import { fail, ok, type Result } from "./result.ts";

export const DEFAULT_SQL_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/analytics_engine/sql";

export interface SqlSettings {
  url: string;
  token: string;
}

export interface SqlVars {
  AE_SQL_URL?: string | undefined;
  CF_ACCOUNT_ID?: string | undefined;
  CF_API_TOKEN?: string | undefined;
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** The endpoint with `{account}` filled in (blank AE_SQL_URL: Cloudflare's), and the API token. */
export function sqlSettingsOf(env: SqlVars): Result<SqlSettings, "misconfigured"> {
  const template = present(env.AE_SQL_URL) ? env.AE_SQL_URL.trim() : DEFAULT_SQL_URL;
  let url = template;
  if (template.includes("{account}")) {
    if (!present(env.CF_ACCOUNT_ID)) return fail("misconfigured", "secret CF_ACCOUNT_ID is not set (AE_SQL_URL needs it for {account}).");
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(env.CF_ACCOUNT_ID.trim())) return fail("misconfigured", "secret CF_ACCOUNT_ID is not an account id.");
    url = template.replace("{account}", env.CF_ACCOUNT_ID.trim());
  }
  const parsed = URL.parse(url);
  if (parsed === null) return fail("misconfigured", "var AE_SQL_URL is not a URL.");
  // The token travels with every query: plain HTTP only to this machine (local dev).
  if (parsed.protocol !== "https:" && parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost") {
    return fail("misconfigured", "var AE_SQL_URL must use https (http only for 127.0.0.1 or localhost).");
  }
  if (!present(env.CF_API_TOKEN)) return fail("misconfigured", "secret CF_API_TOKEN is not set.");
  return ok({ url: parsed.href, token: env.CF_API_TOKEN.trim() });
}
