/**
 * Whether a tenant's script is in the dispatch namespace, through the Dispatch
 * Namespace REST API (`GET …/dispatch/namespaces/:ns/scripts/:name`; 404 with code
 * 10092 when it is not). Used only when the dashboard is given a token that can read
 * Workers Scripts (CF_NAMESPACE_TOKEN); without it the guard falls back to traffic.
 */
import { isRecord } from "@tenantscope/core/result";
import { DashboardError } from "./errors.ts";

export const DEFAULT_NAMESPACE_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/workers/dispatch/namespaces/{namespace}/scripts";
const SCRIPT_NOT_FOUND = 10092;
const TIMEOUT_MS = 10_000;

export interface NamespaceSettings {
  /** The scripts collection URL; a script is `${url}/${name}`. */
  url: string;
  namespace: string;
  token: string;
}

export type NamespaceEnv = Pick<Env, "CF_ACCOUNT_ID" | "NAMESPACE_API_URL" | "DISPATCH_NAMESPACE"> & { CF_NAMESPACE_TOKEN?: string };

function misconfigured(message: string): DashboardError {
  return new DashboardError("misconfigured", `The dashboard is misconfigured: ${message}`);
}

/** Null when no namespace token is set: the check is then off, not broken. */
export function namespaceSettings(env: NamespaceEnv): NamespaceSettings | null {
  const token = env.CF_NAMESPACE_TOKEN?.trim() ?? "";
  if (token === "") return null;
  const namespace = env.DISPATCH_NAMESPACE?.trim() ?? "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(namespace)) throw misconfigured("var DISPATCH_NAMESPACE must name the dispatch namespace (CF_NAMESPACE_TOKEN is set).");
  const account = env.CF_ACCOUNT_ID?.trim() ?? "";
  const template = env.NAMESPACE_API_URL?.trim() || DEFAULT_NAMESPACE_URL;
  if (template.includes("{account}") && !/^[A-Za-z0-9_-]{1,64}$/.test(account)) throw misconfigured("NAMESPACE_API_URL needs CF_ACCOUNT_ID for {account}.");
  const url = URL.parse(template.replace("{account}", account).replace("{namespace}", encodeURIComponent(namespace)));
  if (url === null || (url.protocol !== "https:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost")) {
    throw misconfigured("var NAMESPACE_API_URL must be an https URL (http only for 127.0.0.1 or localhost).");
  }
  return { url: url.href.replace(/\/$/, ""), namespace, token };
}

function failed(message: string): DashboardError {
  return new DashboardError("namespace_failed", `The dispatch namespace could not be checked: ${message}`);
}

/** True when the script exists, false on Cloudflare's "not in this namespace"; anything else is an error. */
export async function scriptExists(settings: NamespaceSettings, tenant: string, fetchFn: typeof fetch = fetch): Promise<boolean> {
  let res: Response;
  try {
    res = await fetchFn(`${settings.url}/${encodeURIComponent(tenant)}`, {
      headers: { authorization: `Bearer ${settings.token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw failed(`the API could not be reached (${error instanceof Error ? error.name : "error"}).`);
  }
  const text = await res.text();
  if (res.ok) return true;
  if (res.status === 401 || res.status === 403) throw failed(`the API answered ${res.status}: the token cannot read Workers Scripts.`);
  if (res.status === 404) {
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not an envelope: not the answer we know.
    }
    const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
    if (errors.some((e) => isRecord(e) && e.code === SCRIPT_NOT_FOUND)) return false;
    throw failed(`the API answered 404 without code ${SCRIPT_NOT_FOUND} (does namespace "${settings.namespace}" exist?).`);
  }
  throw failed(`the API answered ${res.status}.`);
}
