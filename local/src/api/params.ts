/** Path parameters of the namespace routes, validated, and the 404s they lead to. */
import { isScriptName } from "@tenantscope/core/names";
import { ApiError, codes } from "./envelope.ts";

const NAMESPACE_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export function namespaceName(raw: string): string {
  if (!NAMESPACE_RE.test(raw)) {
    throw new ApiError(400, codes.invalidName, `invalid namespace name "${raw}": use letters, digits, "-" and "_" (at most 63)`);
  }
  return raw;
}

export function scriptName(raw: string): string {
  if (!isScriptName(raw)) {
    throw new ApiError(400, codes.invalidName,
      `invalid script name "${raw}": lower-case letters, digits, "-" and "_", 1-63 characters, not starting with "-"`);
  }
  return raw;
}

/** The namespace and script of a route under /:ns/scripts/:script, validated. */
export function scriptTarget(c: { req: { param(name: string): string | undefined } }): { ns: string; name: string } {
  return { ns: namespaceName(c.req.param("ns") ?? ""), name: scriptName(c.req.param("script") ?? "") };
}

export function namespaceNotFound(name: string): ApiError {
  return new ApiError(404, codes.namespaceNotFound, `dispatch namespace "${name}" not found`);
}

/** Cloudflare's code and key, with the names: wrangler reads only the code (10092 = deploy as new). */
export function scriptNotFound(namespace: string, name: string): ApiError {
  return new ApiError(404, codes.dispatchScriptNotFound,
    `workers.api.error.environment_not_found: script "${name}" not found in dispatch namespace "${namespace}"`);
}
