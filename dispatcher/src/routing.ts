/**
 * Request → tenant name. Each strategy either yields a candidate or passes;
 * the first candidate wins and must be a valid script name, checked before
 * any KV or namespace lookup.
 */
import { isTenantName, normalizeHost } from "@tenantscope/core/names";
import { resolveHost, type KVReader, type ResolverOptions } from "@tenantscope/core/plan-resolver";
import type { DispatcherConfig, Strategy } from "./config.ts";
import { DispatchError } from "./errors.ts";
import { requestUrl } from "./target.ts";

export interface Route {
  tenant: string;
  strategy: Strategy;
  /** The URL the tenant sees: path routing strips its prefix, the others keep it. */
  url: URL;
}

interface Candidate {
  name: string;
  url: URL;
}

interface RoutingInput {
  request: Request;
  url: URL;
  /** Lower-case, without port or trailing dot. */
  host: string;
  config: DispatcherConfig;
  kv: KVReader;
  resolver: ResolverOptions;
}

/** A failed host lookup is not cached; KV usually recovers within seconds. */
const ROUTING_RETRY_AFTER_SECONDS = 5;

type StrategyFn = (input: RoutingInput) => Candidate | null | Promise<Candidate | null>;

/** `<tenant>.<PLATFORM_DOMAIN>`; a multi-label prefix is still a candidate so that it is rejected, not skipped. */
function bySubdomain({ host, url, config }: RoutingInput): Candidate | null {
  const suffix = `.${config.platformDomain}`;
  if (!host.endsWith(suffix) || host.length === suffix.length) return null;
  return { name: host.slice(0, -suffix.length), url };
}

/** `/<tenant>/rest?query` → the tenant sees `/rest?query` (or `/`). */
function byPath({ url }: RoutingInput): Candidate | null {
  const path = url.pathname;
  const end = path.indexOf("/", 1);
  const name = end === -1 ? path.slice(1) : path.slice(1, end);
  if (name === "") return null;
  const stripped = new URL(url);
  stripped.pathname = end === -1 ? "/" : path.slice(end);
  return { name, url: stripped };
}

/** The configured header, read here, before dispatch strips our prefix from the request. */
function byHeader({ request, url, config }: RoutingInput): Candidate | null {
  const value = request.headers.get(config.tenantHeader);
  return value === null ? null : { name: value.trim(), url };
}

/**
 * Custom hostnames from KV (`host:<host>`). The platform's own domain is never
 * a custom hostname, so path routing there needs no KV at all. KV errors
 * propagate: falling through to path routing would pick the wrong tenant.
 */
async function byHostMap({ host, url, kv, resolver, config }: RoutingInput): Promise<Candidate | null> {
  if (host === "" || host === config.platformDomain) return null;
  let name: string | null;
  try {
    name = await resolveHost(kv, host, resolver);
  } catch (error) {
    (resolver.log ?? console.warn)(`tenantscope: KV read for host "${host}" failed (${String(error)}); answering routing_unavailable`);
    throw new DispatchError("routing_unavailable", `The tenant of host "${host}" cannot be looked up right now. Try again shortly.`, {
      cause: error,
      retryAfter: ROUTING_RETRY_AFTER_SECONDS,
    });
  }
  return name === null ? null : { name, url };
}

const STRATEGY_FNS: Record<Strategy, StrategyFn> = {
  subdomain: bySubdomain,
  path: byPath,
  header: byHeader,
  hostmap: byHostMap,
};

function describe(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

export async function routeRequest(
  request: Request,
  config: DispatcherConfig,
  kv: KVReader,
  resolver: ResolverOptions,
): Promise<Route> {
  const url = requestUrl(request);
  // An absolute FQDN ("a.example.com.") names the same host as without the dot.
  const host = normalizeHost(url.host).replace(/\.$/, "");
  const input: RoutingInput = { request, url, host, config, kv, resolver };
  for (const strategy of config.routing) {
    const candidate = await STRATEGY_FNS[strategy](input);
    if (candidate === null) continue;
    if (!isTenantName(candidate.name)) {
      throw new DispatchError(
        "invalid_tenant_name",
        `${describe(candidate.name)} (from ${strategy} routing) is not a valid tenant name: use 1-63 lower-case letters, digits and dashes, not starting or ending with a dash.`,
        { requested: candidate.name },
      );
    }
    return { tenant: candidate.name, strategy, url: candidate.url };
  }
  throw new DispatchError("tenant_not_found", `No tenant could be determined from this request (routing: ${config.routing.join(", ")}).`);
}
