/**
 * The arguments of `env.NS.get(name, args, options)`, checked as workers-types and
 * Cloudflare's docs (configuration/dynamic-dispatch, custom-limits, outbound-workers)
 * describe them:
 * - `args.props`: handed to the user Worker as `ctx.props`;
 * - `options.limits`: `{ cpuMs?, subRequests? }`;
 * - `options.outbound`: the Outbound Worker's parameters by name (JSON values), read
 *   there as `env.<name>`; only the names the binding declares are passed on.
 * Cloudflare documents no error for a bad shape, so each is a TypeError naming it.
 * Locally props travel to the tenant's process as JSON (run-protocol.ts), so RPC stubs
 * (the docs' "capabilities") cannot be passed: that is refused by name, not lost.
 * Outbound parameters are checked the same way (they are not set locally: outbound.ts).
 */
import type { JsonValue } from "../store/types.ts";

export interface Limits {
  cpuMs?: number;
  subRequests?: number;
}

export interface DispatchCall {
  /** The user Worker's `ctx.props`; absent when the caller passed none. */
  props?: JsonValue;
  limits: Limits;
  /** The declared Outbound Worker parameters the caller set. */
  outbound?: Record<string, JsonValue>;
}

const LIMIT_KEYS: readonly string[] = ["cpuMs", "subRequests"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The path of the first value JSON cannot carry as it is, or null. */
function nonJson(value: unknown, path: string, depth = 0): string | null {
  if (depth > 64) return `${path} (nested too deeply)`;
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonJson(value[i], `${path}[${i}]`, depth + 1);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (!isPlainObject(value)) return path;
  for (const [key, item] of Object.entries(value)) {
    // An absent optional field arrives as undefined over RPC; JSON drops it, as intended.
    if (item === undefined) continue;
    const bad = nonJson(item, `${path}.${key}`, depth + 1);
    if (bad !== null) return bad;
  }
  return null;
}

function json(value: unknown, path: string): JsonValue {
  const bad = nonJson(value, path);
  if (bad !== null) {
    throw new TypeError(
      `DispatchNamespace.get(): ${bad} is not plain JSON data. The local stand-in runs tenants in processes of their own ` +
        "and passes props as JSON (outbound parameters are checked alike), so functions, class instances and RPC stubs cannot cross (local/README.md).",
    );
  }
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function limitsOf(value: unknown): Limits {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new TypeError("DispatchNamespace.get(): options.limits must be an object { cpuMs?, subRequests? }");
  const limits: Limits = {};
  for (const [key, item] of Object.entries(value)) {
    if (!LIMIT_KEYS.includes(key)) throw new TypeError(`DispatchNamespace.get(): options.limits has no field "${key}"; the limits are cpuMs and subRequests`);
    if (item === undefined) continue;
    if (typeof item !== "number" || !Number.isFinite(item) || item <= 0) {
      throw new TypeError(`DispatchNamespace.get(): options.limits.${key} must be a positive number, got ${JSON.stringify(item) ?? typeof item}`);
    }
    if (key === "cpuMs") limits.cpuMs = item;
    else limits.subRequests = item;
  }
  return limits;
}

function outboundOf(value: unknown, parameters: readonly string[]): Record<string, JsonValue> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw new TypeError("DispatchNamespace.get(): options.outbound must be an object of the Outbound Worker's parameters");
  const params: Record<string, JsonValue> = {};
  for (const name of parameters) {
    if (value[name] !== undefined) params[name] = json(value[name], `options.outbound.${name}`);
  }
  return params;
}

/** `parameters`: the Outbound Worker parameters the binding declares (none without an Outbound Worker). */
export function parseDispatchCall(args: unknown, options: unknown, parameters: readonly string[] = []): DispatchCall {
  if (args !== undefined && args !== null && !isPlainObject(args)) throw new TypeError("DispatchNamespace.get(): args must be an object, such as { props }");
  if (options !== undefined && options !== null && !isPlainObject(options)) throw new TypeError("DispatchNamespace.get(): options must be an object, such as { limits, outbound }");
  const props = isPlainObject(args) && args.props !== undefined ? json(args.props, "args.props") : undefined;
  const limits = limitsOf(isPlainObject(options) ? options.limits : undefined);
  const outbound = outboundOf(isPlainObject(options) ? options.outbound : undefined, parameters);
  return { ...(props === undefined ? {} : { props }), limits, ...(outbound === undefined ? {} : { outbound }) };
}
