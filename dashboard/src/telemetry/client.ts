/**
 * Full logs of a tenant from Workers Logs, through the Workers Observability telemetry
 * API: `POST /accounts/{account}/workers/observability/telemetry/query` (shape from
 * Cloudflare's API reference and the `cloudflare` SDK's `telemetry.query`), view
 * `events`, filtered to `$metadata.service` = the tenant and a time window. Used only
 * when the dashboard is given a token that can read Workers Observability
 * (CF_OBSERVABILITY_TOKEN); locally the stand-in answers (local/src/api/telemetry.ts).
 * Every answer is checked before use; upstream failures become a 502 with a short reason.
 */
import { isRecord } from "@tenantscope/core/result";
import { DashboardError } from "../errors.ts";

export const DEFAULT_TELEMETRY_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/workers/observability/telemetry/query";
const TIMEOUT_MS = 15_000;
export const MAX_LOG_EVENTS = 200;

export interface TelemetrySettings {
  url: string;
  token: string;
}

export type TelemetryEnv = Pick<Env, "CF_ACCOUNT_ID" | "TELEMETRY_QUERY_URL"> & { CF_OBSERVABILITY_TOKEN?: string };

/** Null when no Workers Observability token is set: logs are then off, not broken. */
export function telemetrySettings(env: TelemetryEnv): TelemetrySettings | null {
  const token = env.CF_OBSERVABILITY_TOKEN?.trim() ?? "";
  if (token === "") return null;
  const template = env.TELEMETRY_QUERY_URL?.trim() || DEFAULT_TELEMETRY_URL;
  const account = env.CF_ACCOUNT_ID?.trim() ?? "";
  if (template.includes("{account}") && !/^[A-Za-z0-9_-]{1,64}$/.test(account)) {
    throw new DashboardError("misconfigured", "The dashboard is misconfigured: TELEMETRY_QUERY_URL needs CF_ACCOUNT_ID for {account}.");
  }
  const url = URL.parse(template.replace("{account}", account));
  if (url === null || (url.protocol !== "https:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost")) {
    throw new DashboardError("misconfigured", "The dashboard is misconfigured: var TELEMETRY_QUERY_URL must be an https URL (http only for 127.0.0.1 or localhost).");
  }
  return { url: url.href, token };
}

export interface LogEvent {
  /** ISO 8601, UTC. */
  time: string;
  level: string;
  message: string;
  requestId: string;
}

export interface LogQuery {
  tenant: string;
  from: number;
  to: number;
}

export function queryBody(q: LogQuery): unknown {
  return {
    queryId: "tenantscope-tenant-logs",
    timeframe: { from: q.from, to: q.to },
    view: "events",
    limit: MAX_LOG_EVENTS,
    parameters: {
      filters: [{ key: "$metadata.service", operation: "eq", type: "string", value: q.tenant }],
      filterCombination: "and",
    },
  };
}

function failed(message: string): DashboardError {
  return new DashboardError("telemetry_failed", `Workers Logs: ${message}`);
}

function eventOf(value: unknown): LogEvent | null {
  if (!isRecord(value) || typeof value.timestamp !== "number" || !isRecord(value.$metadata)) return null;
  const meta = value.$metadata;
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  const source = value.source;
  const message = text(meta.message) || (typeof source === "string" ? source : JSON.stringify(source ?? ""));
  return { time: new Date(value.timestamp).toISOString(), level: text(meta.level) || "log", message, requestId: text(meta.requestId) };
}

/** The tenant's log events in the window, oldest first. */
export async function queryTenantLogs(settings: TelemetrySettings, q: LogQuery, fetchFn: typeof fetch = fetch): Promise<LogEvent[]> {
  let res: Response;
  try {
    res = await fetchFn(settings.url, {
      method: "POST",
      headers: { authorization: `Bearer ${settings.token}`, "content-type": "application/json" },
      body: JSON.stringify(queryBody(q)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw failed(`the telemetry API could not be reached (${error instanceof Error ? error.name : "error"}).`);
  }
  if (res.status === 401 || res.status === 403) {
    throw failed(`the telemetry API answered ${res.status}: the token cannot read Workers Observability.`);
  }
  if (!res.ok) throw failed(`the telemetry API answered ${res.status}.`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw failed("the telemetry API did not answer JSON.");
  }
  if (!isRecord(body) || body.success !== true || !isRecord(body.result)) throw failed("the telemetry API's answer is not a successful envelope.");
  const events = isRecord(body.result.events) ? body.result.events.events : undefined;
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw failed("the telemetry API's events are not a list.");
  const out = events.map(eventOf).filter((e): e is LogEvent => e !== null);
  return out.sort((a, b) => a.time.localeCompare(b.time));
}
