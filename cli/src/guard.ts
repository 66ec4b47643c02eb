/**
 * What the tenant commands check before they write: that the script is in the dispatch
 * namespace (`GET …/dispatch/namespaces/:ns/scripts/:name`; 404 with code 10092 when
 * it is not), and, for `tenant list`, when each tenant last had traffic (the SQL API).
 */
import { col, DATASET, INDEX_COLUMN } from "@tenantscope/core/schema";
import { paths, type ApiClient } from "./api.ts";
import { ApiFailure, CliError } from "./errors.ts";

/** Cloudflare's "This Worker does not exist in this namespace" (also the local stand-in's). */
export const SCRIPT_NOT_FOUND = 10092;

export async function scriptExists(api: ApiClient, namespace: string, tenant: string): Promise<boolean> {
  try {
    await api.call("GET", paths.script(namespace, tenant));
    return true;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404 && error.codes.includes(SCRIPT_NOT_FOUND)) return false;
    throw error;
  }
}

/** Refuses a write for a tenant that is not in the namespace, unless forced (a typo must not make a record). */
export async function requireScript(api: ApiClient, namespace: string, tenant: string, force: boolean): Promise<void> {
  if (force || (await scriptExists(api, namespace, tenant))) return;
  throw new CliError(`tenant "${tenant}" is not in namespace "${namespace}": nothing was written (upload it first, or pass --force to write the record anyway)`);
}

/** Every script name in the namespace (pages of up to 1000). */
export async function scriptNames(api: ApiClient, namespace: string): Promise<Set<string>> {
  const names = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await api.call<{ id: string }[]>("GET", paths.scripts(namespace), { query: { limit: 1000, cursor } });
    for (const s of page.result) names.add(s.id);
    cursor = page.result_info?.cursor;
  } while (cursor !== undefined && cursor !== "");
  return names;
}

/** AE keeps three months; a tenant quiet for longer has no last traffic to show. */
const RETENTION_DAYS = 92;

export function lastTrafficSql(): string {
  return [
    `SELECT ${INDEX_COLUMN} AS tenant, max(timestamp) AS last FROM ${DATASET}`,
    `WHERE timestamp >= NOW() - INTERVAL '${RETENTION_DAYS}' DAY AND ${col("pointKind")} != 'dispatcher'`,
    "GROUP BY tenant",
  ].join("\n");
}

/** tenant → last invocation ('YYYY-MM-DD hh:mm:ss', UTC), over AE's retention. */
export async function lastTraffic(api: ApiClient): Promise<Map<string, string>> {
  const { text } = await api.text("POST", "/analytics_engine/sql", { body: lastTrafficSql(), contentType: "text/plain", idempotent: true });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError("the SQL API answered with a body that is not JSON");
  }
  const rows = typeof body === "object" && body !== null && "data" in body && Array.isArray(body.data) ? (body.data as unknown[]) : [];
  const last = new Map<string, string>();
  for (const row of rows) {
    if (typeof row !== "object" || row === null || !("tenant" in row) || !("last" in row)) continue;
    if (typeof row.tenant === "string" && typeof row.last === "string") last.set(row.tenant, row.last);
  }
  return last;
}
