/**
 * The alert evaluator as the dashboard reaches it: the optional ALERTS service binding to
 * tenantscope-alerts, whose default entrypoint serves `AlertsService` over RPC. Without the
 * binding the pages say the evaluator is not deployed; a failed call is a logged 502 whose
 * details stay out of the answer.
 */
import type { AlertsService } from "@tenantscope/core/alert-state";
import { DashboardError } from "../errors.ts";

/**
 * `wrangler types` types a service binding as a plain Fetcher (it cannot see the other
 * Worker's entrypoint), so the RPC surface is named here, once. The binding may also be
 * absent at run time: a deploy or dev stack without the evaluator leaves it out.
 */
export function alertsService(env: Pick<Env, "ALERTS">): AlertsService | null {
  const binding: unknown = (env as { ALERTS?: unknown }).ALERTS;
  return binding === undefined || binding === null ? null : (binding as AlertsService);
}

/** One RPC call; whatever it throws becomes alerts_failed (logged with its cause). */
export async function callAlerts<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    console.error(`tenantscope-dashboard: the alert evaluator failed to ${what}:`, error);
    throw new DashboardError("alerts_failed", `The alert evaluator (tenantscope-alerts) failed to ${what}. Try again in a moment; the error was logged.`, { cause: error });
  }
}

export function requireAlerts(env: Pick<Env, "ALERTS">): AlertsService {
  const service = alertsService(env);
  if (service === null) throw new DashboardError("not_configured", "The alert evaluator (tenantscope-alerts) is not deployed: this dashboard has no ALERTS service binding.");
  return service;
}
