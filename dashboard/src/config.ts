/**
 * Vars and secrets → validated settings. Each check names the setting that is wrong
 * (never its value, which may be secret), so a broken deploy says what to fix.
 * Each function takes only the bindings it reads, picked from the generated Env. The
 * types say "string", but a deploy can still lack a secret or drop a var, so every
 * value is checked as possibly absent.
 */
import { parsePlatformPrices, type PlatformPrices } from "@tenantscope/core/pricing";
import { sqlSettingsOf, type SqlSettings } from "@tenantscope/core/sql-settings";
import { parseDefaultPlan } from "@tenantscope/core/vars";
import { DashboardError } from "./errors.ts";

const DEFAULT_SESSION_TTL_SECONDS = 12 * 3600;
/** A shorter HMAC key would be guessable; 32 characters of randomness is the floor. */
const MIN_SESSION_SECRET = 32;

function misconfigured(message: string): DashboardError {
  return new DashboardError("misconfigured", `The dashboard is misconfigured: ${message}`);
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/** The SQL endpoint with the account filled in, and the API token (core/sql-settings.ts). */
export function sqlSettings(env: Pick<Env, "AE_SQL_URL" | "CF_ACCOUNT_ID" | "CF_API_TOKEN">): SqlSettings {
  const settings = sqlSettingsOf(env);
  if (!settings.ok) throw misconfigured(settings.message);
  return settings.value;
}

/** Workers for Platforms' price list: `WFP_PRICES` (JSON), or core's dated built-in list when blank. */
export function platformPrices(env: Pick<Env, "WFP_PRICES">): PlatformPrices {
  const prices = parsePlatformPrices(env.WFP_PRICES);
  if (!prices.ok) throw misconfigured(`var WFP_PRICES: ${prices.message}.`);
  return prices.value;
}

export function defaultPlan(env: Pick<Env, "DEFAULT_PLAN">): string {
  const plan = parseDefaultPlan(env.DEFAULT_PLAN);
  if (!plan.ok) throw misconfigured(`var ${plan.message}.`);
  return plan.value;
}

export function sessionSecret(env: Pick<Env, "SESSION_SECRET">): string {
  if (!present(env.SESSION_SECRET) || env.SESSION_SECRET.trim().length < MIN_SESSION_SECRET) {
    throw misconfigured(`secret SESSION_SECRET must be set to at least ${MIN_SESSION_SECRET} random characters.`);
  }
  return env.SESSION_SECRET.trim();
}

export function sessionTtlSeconds(env: Pick<Env, "SESSION_TTL_SECONDS">): number {
  if (!present(env.SESSION_TTL_SECONDS)) return DEFAULT_SESSION_TTL_SECONDS;
  const n = Number(env.SESSION_TTL_SECONDS);
  if (!Number.isInteger(n) || n < 60 || n > 30 * 86400) throw misconfigured("var SESSION_TTL_SECONDS must be an integer from 60 to 2592000.");
  return n;
}

export interface AccessSettings {
  /** e.g. "myteam.cloudflareaccess.com" */
  teamDomain: string;
  aud: string;
}

/** Cloudflare Access is on when both vars are set; one without the other is a mistake. */
export function accessSettings(env: Pick<Env, "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">): AccessSettings | null {
  const team = present(env.ACCESS_TEAM_DOMAIN) ? env.ACCESS_TEAM_DOMAIN.trim().replace(/^https:\/\//, "").replace(/\/$/, "") : "";
  const aud = present(env.ACCESS_AUD) ? env.ACCESS_AUD.trim() : "";
  if (team === "" && aud === "") return null;
  if (team === "" || aud === "") throw misconfigured("set both ACCESS_TEAM_DOMAIN and ACCESS_AUD, or neither.");
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(team)) throw misconfigured("var ACCESS_TEAM_DOMAIN is not a host name.");
  return { teamDomain: team.toLowerCase(), aud };
}
