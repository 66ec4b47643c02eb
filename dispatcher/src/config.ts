/**
 * The dispatcher's vars, validated once per isolate per env object. A bad
 * value is the platform's own misconfiguration, so it surfaces as an
 * internal_error (logged with the reason), never as a client error.
 */
import { normalizeHost } from "@tenantscope/core/names";
import { fail, ok, type Result } from "@tenantscope/core/result";
import { parsePlanVars, type PlanVarsInvalid } from "@tenantscope/core/vars";
import type { DispatcherVars } from "./env.ts";

export const STRATEGIES = ["subdomain", "path", "header", "hostmap"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface DispatcherConfig {
  /** Tried in this order; the first that yields a candidate wins. */
  routing: readonly Strategy[];
  /** Lower-case, no port; empty when subdomain routing is off. */
  platformDomain: string;
  /** Lower-case header name; empty when header routing is off. */
  tenantHeader: string;
  defaultPlan: string;
  ttlMs: number;
}

export type ConfigInvalid = "bad_routing" | "bad_platform_domain" | "bad_tenant_header" | PlanVarsInvalid;

function isStrategy(value: string): value is Strategy {
  return (STRATEGIES as readonly string[]).includes(value);
}

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const DOMAIN_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

export function parseConfig(vars: DispatcherVars): Result<DispatcherConfig, ConfigInvalid> {
  const names = (vars.ROUTING ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = names.filter((s) => !isStrategy(s));
  if (unknown.length > 0) {
    return fail("bad_routing", `ROUTING names unknown strategies ${JSON.stringify(unknown)}; known: ${STRATEGIES.join(", ")}`);
  }
  const routing = [...new Set(names.filter(isStrategy))];
  if (routing.length === 0) return fail("bad_routing", "ROUTING names no strategy");

  const platformDomain = normalizeHost(vars.PLATFORM_DOMAIN ?? "");
  if (routing.includes("subdomain") && !DOMAIN_RE.test(platformDomain)) {
    return fail("bad_platform_domain", `PLATFORM_DOMAIN ${JSON.stringify(vars.PLATFORM_DOMAIN)} is not a domain name`);
  }

  const tenantHeader = (vars.TENANT_HEADER ?? "").trim().toLowerCase();
  if (routing.includes("header") && !HEADER_NAME_RE.test(tenantHeader)) {
    return fail("bad_tenant_header", `TENANT_HEADER ${JSON.stringify(vars.TENANT_HEADER)} is not a header name`);
  }

  const plans = parsePlanVars(vars);
  if (!plans.ok) return plans;

  return ok({ routing, platformDomain, tenantHeader, ...plans.value });
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`dispatcher misconfigured: ${message}`);
    this.name = "ConfigError";
  }
}

/** Keyed by the env object, so one isolate parses each env once (tests pass many envs). */
const parsed = new WeakMap<object, Result<DispatcherConfig, ConfigInvalid>>();

/** The validated config, or a ConfigError that onError logs and turns into internal_error. */
export function configFor(env: DispatcherVars): DispatcherConfig {
  let result = parsed.get(env);
  if (result === undefined) {
    result = parseConfig(env);
    parsed.set(env, result);
  }
  if (!result.ok) throw new ConfigError(result.message);
  return result.value;
}
