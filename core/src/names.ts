/**
 * Tenant (script) names, and the headers that carry tenant context.
 * Cloudflare script names in a dispatch namespace follow DNS-label rules here,
 * so a name that routes by subdomain also routes by path or header.
 */
export const TENANT_NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isTenantName(value: string): boolean {
  return TENANT_NAME_RE.test(value);
}

/**
 * What Cloudflare's API accepts as a script name (wrangler's own check for Worker
 * names; the SDK's example is `this-is_my_script-01`). Wider than a tenant name:
 * the API stores such scripts, the dispatcher routes only the DNS-label ones.
 */
export const SCRIPT_NAME_RE = /^[a-z0-9_][a-z0-9_-]{0,62}$/;

export function isScriptName(value: string): boolean {
  return SCRIPT_NAME_RE.test(value);
}

/** Every header of ours starts with this; inbound copies are stripped. */
export const HEADER_PREFIX = "x-tenantscope-";
export const HEADER_TENANT = "x-tenantscope-tenant";
export const HEADER_PLAN = "x-tenantscope-plan";
export const HEADER_LIMITS = "x-tenantscope-limits";
/** Set to `fallback` when the restrictive plan replaced a KV failure or a bad record. */
export const HEADER_PLAN_SOURCE = "x-tenantscope-plan-source";

/** Lower-cased host without the port, as routing compares it. */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}
