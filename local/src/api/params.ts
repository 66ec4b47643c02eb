/** Path parameters of the namespace routes, validated, and the 404s they lead to. */
import { isTenantName } from "@tenantscope/core/names";
import { ApiError, codes } from "./envelope.ts";

const NAMESPACE_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export function namespaceName(raw: string): string {
  if (!NAMESPACE_RE.test(raw)) {
    throw new ApiError(400, codes.invalidName, `invalid namespace name "${raw}": use letters, digits, "-" and "_" (at most 63)`);
  }
  return raw;
}

export function scriptName(raw: string): string {
  if (!isTenantName(raw)) {
    throw new ApiError(400, codes.invalidName,
      `invalid script name "${raw}": lower-case letters, digits and dashes, 1-63 characters, not starting or ending with a dash`);
  }
  return raw;
}

export function namespaceNotFound(name: string): ApiError {
  return new ApiError(404, codes.namespaceNotFound, `dispatch namespace "${name}" not found`);
}

export function scriptNotFound(namespace: string, name: string): ApiError {
  return new ApiError(404, codes.scriptNotFound, `script "${name}" not found in namespace "${namespace}"`);
}
