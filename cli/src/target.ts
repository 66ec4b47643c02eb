/**
 * Where commands go: the local stand-in by default, or Cloudflare when
 * CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are set. Only the base URL, the
 * account, the token and the plans KV id differ; every request is built the same.
 */
import { parseCustomerPrefix } from "@tenantscope/core/customers";
import { CliError } from "./errors.ts";

export const LOCAL_API_URL = "http://127.0.0.1:8789";
/** As wrangler and the `cloudflare` SDK take it (CLOUDFLARE_API_BASE_URL): with `/client/v4`. */
export const CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4";
/** Values of local/wrangler.jsonc and local/dev (API_TOKEN, PLANS_KV_ID, DEFAULT_NAMESPACE). */
export const LOCAL_ACCOUNT = "local";
export const LOCAL_TOKEN = "local";
export const LOCAL_PLANS_KV_ID = "tenantscope-plans";
/** The dispatcher's `dispatch_namespaces` namespace (dispatcher/wrangler.jsonc). */
export const DEFAULT_NAMESPACE = "tenantscope-tenants";
/** The Tail Worker every uploaded tenant reports to (tail-worker/wrangler.jsonc). */
export const TAIL_WORKER = "tenantscope-tail";

export type Env = Record<string, string | undefined>;

export interface Target {
  kind: "local" | "cloudflare";
  /** Up to and including /client/v4/accounts/<account>. */
  accountUrl: string;
  token: string;
  namespace: string;
  /** Null on Cloudflare until TENANTSCOPE_PLANS_KV_ID is set; plan commands need it. */
  plansKvId: string | null;
}

export interface TargetFlags {
  apiUrl?: string;
  namespace?: string;
  local?: boolean;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());

/**
 * CLOUDFLARE_API_BASE_URL means what it means to wrangler and the SDK: the API root
 * including `/client/v4`. A bare host would send every call to a path no API serves,
 * so it is refused with the URL that was probably meant.
 */
function apiBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`CLOUDFLARE_API_BASE_URL is not a URL: "${value}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliError(`CLOUDFLARE_API_BASE_URL must be http(s), got "${value}"`);
  const base = value.replace(/\/+$/, "");
  if (url.pathname === "/" || url.pathname === "") {
    throw new CliError(`CLOUDFLARE_API_BASE_URL includes the API path, as wrangler takes it: did you mean "${base}/client/v4"?`);
  }
  return base;
}

export function resolveTarget(env: Env, flags: TargetFlags): Target {
  const namespace = nonEmpty(flags.namespace) ?? nonEmpty(env.TENANTSCOPE_NAMESPACE) ?? DEFAULT_NAMESPACE;
  const account = nonEmpty(env.CLOUDFLARE_ACCOUNT_ID);
  const token = nonEmpty(env.CLOUDFLARE_API_TOKEN);
  if (flags.local !== true && (account !== undefined || token !== undefined)) {
    if (account === undefined || token === undefined) {
      throw new CliError("set both CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN to target Cloudflare (or pass --local)");
    }
    const base = apiBaseUrl(nonEmpty(env.CLOUDFLARE_API_BASE_URL) ?? CLOUDFLARE_API_URL);
    return {
      kind: "cloudflare",
      accountUrl: `${base}/accounts/${encodeURIComponent(account)}`,
      token,
      namespace,
      plansKvId: nonEmpty(env.TENANTSCOPE_PLANS_KV_ID) ?? null,
    };
  }
  const base = (nonEmpty(flags.apiUrl) ?? nonEmpty(env.TENANTSCOPE_API_URL) ?? LOCAL_API_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(base)) throw new CliError(`the local API URL must start with http:// or https://, got "${base}"`);
  return {
    kind: "local",
    accountUrl: `${base}/client/v4/accounts/${LOCAL_ACCOUNT}`,
    token: nonEmpty(env.TENANTSCOPE_API_TOKEN) ?? LOCAL_TOKEN,
    namespace,
    plansKvId: nonEmpty(env.TENANTSCOPE_PLANS_KV_ID) ?? LOCAL_PLANS_KV_ID,
  };
}

export function describeTarget(t: Target): string {
  return t.kind === "local" ? `local stand-in at ${t.accountUrl.replace(/\/client\/v4\/.*$/, "")}` : "Cloudflare";
}

/** The script-tag prefix naming a tenant's customer: $TENANTSCOPE_CUSTOMER_TAG_PREFIX, default `customer:` (the Tail Worker's CUSTOMER_TAG_PREFIX must match). */
export function customerPrefix(env: Env): string {
  const parsed = parseCustomerPrefix(env.TENANTSCOPE_CUSTOMER_TAG_PREFIX);
  if (!parsed.ok) throw new CliError(`TENANTSCOPE_${parsed.message}`);
  return parsed.value;
}
