/** Cloudflare's v4 response envelope and typed API errors. */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface ApiMessage {
  code: number;
  message: string;
}

export interface ResultInfo {
  count: number;
  per_page?: number;
  cursor?: string;
  total_count?: number;
  page?: number;
}

/** Error codes as Cloudflare uses them where known; documented in local/README.md. */
export const codes = {
  authentication: 10000,
  badRequest: 10021,
  /** An account-level script (the local API has none). */
  scriptNotFound: 10007,
  /** A script missing from a dispatch namespace: wrangler's "not there yet" (workers.api.error.environment_not_found). */
  dispatchScriptNotFound: 10092,
  namespaceNotFound: 100119,
  namespaceExists: 100120,
  invalidName: 10016,
  tooLarge: 10027,
  kvNamespaceNotFound: 10013,
  kvKeyNotFound: 10009,
  /** Not documented by Cloudflare; 413 with the KV binding's own message (local/README.md). */
  kvValueTooLarge: 10011,
  notFound: 7003,
  /** Not documented by Cloudflare (the SDKs judge the 404 only). */
  secretNotFound: 10056,
  /** No documented code: any code but 10000/9106 (they set off wrangler's login diagnostics). */
  methodNotAllowed: 10405,
  internal: 10001,
  /** Creating a KV namespace whose title is taken (wrangler checks for this code). */
  kvNamespaceTitleExists: 10014,
} as const;

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: number;
  /** Extra answer headers, e.g. `x-should-retry: false` where the SDKs would retry in vain. */
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function success<T>(result: T, resultInfo?: ResultInfo): Record<string, unknown> {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo !== undefined) body.result_info = resultInfo;
  return body;
}

export function failure(errors: ApiMessage[]): Record<string, unknown> {
  return { success: false, errors, messages: [], result: null };
}
