/**
 * The guard on assignment changes: a tenant that is not in the dispatch namespace (when
 * the dashboard holds a namespace token), or, without one, that has never had traffic,
 * is refused with `unknown_tenant` (409) unless the change is confirmed (`force`). A
 * typo such as "shopp" must not become a KV record silently.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { DashboardError } from "../errors.ts";
import { namespaceSettings, scriptExists } from "../namespace.ts";
import { seenRecently } from "../queries/known.ts";
import { nowMs, sqlClient } from "./shared.ts";

/** Why the tenant looks unknown, or null when it is known. */
export async function unknownTenantReason(c: Context<AppEnv>, tenant: string): Promise<string | null> {
  const settings = namespaceSettings(c.env);
  if (settings !== null) {
    return (await scriptExists(settings, tenant, c.var.options.fetch ?? fetch))
      ? null
      : `Tenant "${tenant}" is not in the dispatch namespace "${settings.namespace}": nothing was saved.`;
  }
  if (await seenRecently(sqlClient(c), tenant, nowMs(c))) return null;
  return `Tenant "${tenant}" has never had traffic (none in the three months Analytics Engine keeps), and the dashboard cannot check the dispatch namespace (no CF_NAMESPACE_TOKEN): nothing was saved. Is the name right?`;
}

/** For saveAssignment: refuses an unknown tenant unless the operator confirmed. */
export function tenantGuard(c: Context<AppEnv>, force: boolean): (tenant: string) => Promise<void> {
  return async (tenant) => {
    if (force) return;
    const reason = await unknownTenantReason(c, tenant);
    if (reason !== null) throw new DashboardError("unknown_tenant", reason);
  };
}

/** A form's or query's "confirmed" flag. */
export function isForced(value: unknown): boolean {
  return value === "on" || value === "true" || value === "1";
}
