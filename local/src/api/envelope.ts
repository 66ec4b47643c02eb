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
  scriptNotFound: 10007,
  namespaceNotFound: 100119,
  namespaceExists: 100120,
  invalidName: 10016,
  tooLarge: 10027,
  kvNamespaceNotFound: 10013,
  kvKeyNotFound: 10009,
  /** Not documented by Cloudflare; 413 with the KV binding's own message (local/README.md). */
  kvValueTooLarge: 10011,
  notFound: 7003,
  internal: 10001,
} as const;

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: number;

  constructor(status: ContentfulStatusCode, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
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
