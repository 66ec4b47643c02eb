/**
 * One client for Cloudflare's v4 API and the local stand-in: bearer auth, the
 * `{success, errors, messages, result, result_info}` envelope, and retries with
 * backoff for 429 and 5xx on idempotent methods (a POST could run twice).
 */
import { retryAfterMs } from "@tenantscope/core/retry-after";
import { ApiFailure } from "./errors.ts";
import type { Target } from "./target.ts";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ResultInfo {
  count?: number;
  per_page?: number;
  cursor?: string;
  total_count?: number;
}

export interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: T;
  result_info?: ResultInfo;
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 20_000 };

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: string | FormData;
  contentType?: string;
  /** A POST that may safely run twice (an SQL query): retried like GET. */
  idempotent?: boolean;
}

export interface ClientDeps {
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
  /** Told before each retry, so bulk uploads can show it. */
  onRetry?: (what: string, attempt: number, waitMs: number, reason: string) => void;
}

const RETRYABLE_METHODS = new Set(["GET", "PUT", "DELETE", "HEAD"]);

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After in seconds (or an HTTP date), else exponential backoff with jitter. */
function waitFor(response: Response | null, attempt: number, policy: RetryPolicy): number {
  const ms = retryAfterMs(response?.headers.get("retry-after"), Date.now());
  if (ms !== null) return Math.min(ms, policy.maxMs);
  const exp = policy.baseMs * 2 ** (attempt - 1);
  return Math.min(policy.maxMs, Math.round(exp / 2 + Math.random() * exp / 2));
}

/** Node's fetch wraps the socket error: `TypeError("fetch failed", { cause: { code } })`. */
function unreachable(error: unknown): string | null {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined;
  if (code === "ECONNREFUSED") return "connection refused: nothing listens there";
  if (code === "ENOTFOUND") return "no such host";
  // The fetch standard blocks some ports (9, 25, …) before connecting.
  if (cause instanceof Error && cause.message === "bad port") return "fetch refuses to connect to that port";
  return null;
}

function failureOf(status: number, text: string, what: string): ApiFailure {
  try {
    const body = JSON.parse(text) as Partial<Envelope<unknown>>;
    const errors = Array.isArray(body.errors) ? body.errors : [];
    if (errors.length > 0) {
      return new ApiFailure(status, errors.map((e) => `${e.message} (code ${e.code})`).join("; "), errors.map((e) => e.code));
    }
  } catch {
    // Not an envelope (a proxy's error page, the SQL API's text): show the text.
  }
  return new ApiFailure(status, `${what} answered HTTP ${status}${text.trim() === "" ? "" : `: ${text.trim().slice(0, 300)}`}`, []);
}

export class ApiClient {
  readonly target: Target;
  private readonly deps: ClientDeps;

  constructor(target: Target, deps: ClientDeps) {
    this.target = target;
    this.deps = deps;
  }

  /** The same client (fetch, retries) for another base URL and token, such as the dashboard's JSON API. */
  elsewhere(baseUrl: string, token: string): ApiClient {
    return new ApiClient({ ...this.target, accountUrl: baseUrl, token }, this.deps);
  }

  url(path: string, query: RequestOptions["query"] = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
    const qs = params.toString();
    // The stand-in's local-only routes (/_local/...) sit beside the API, not under the account.
    const base = path.startsWith("/_local/") ? this.target.accountUrl.replace(/\/client\/v4\/accounts\/[^/]+$/, "") : this.target.accountUrl;
    return `${base}${path}${qs === "" ? "" : `?${qs}`}`;
  }

  /** The raw response text of a successful call (KV values are not enveloped). */
  async text(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; text: string }> {
    const url = this.url(path, opts.query);
    const what = `${method} ${path}`;
    const policy = this.deps.retry ?? DEFAULT_RETRY;
    const attempts = RETRYABLE_METHODS.has(method) || opts.idempotent === true ? policy.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { authorization: `Bearer ${this.target.token}` };
      if (opts.contentType !== undefined) headers["content-type"] = opts.contentType;
      let response: Response;
      try {
        response = await this.deps.fetch(url, { method, headers, body: opts.body ?? null });
      } catch (error) {
        const refused = unreachable(error);
        const reason = refused ?? (error instanceof Error ? error.message : String(error));
        // Nothing listening (or no such host) will not change within a retry's wait: say so at once.
        if (attempt >= attempts || refused !== null) {
          const hint = this.target.kind === "local" ? " (is the local stack running? `pnpm dev`)" : "";
          throw new ApiFailure(0, `${what}: cannot reach ${url}: ${reason}${hint}`, []);
        }
        const wait = waitFor(null, attempt, policy);
        this.deps.onRetry?.(what, attempt, wait, reason);
        await this.deps.sleep(wait);
        continue;
      }
      const text = await response.text();
      if (response.ok) return { status: response.status, text };
      if (!retryable(response.status) || attempt >= attempts) throw failureOf(response.status, text, what);
      const wait = waitFor(response, attempt, policy);
      this.deps.onRetry?.(what, attempt, wait, `HTTP ${response.status}`);
      await this.deps.sleep(wait);
    }
  }

  /** A call that answers in the envelope; a 2xx with `success: false` is a failure too. */
  async call<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Envelope<T> & { status: number }> {
    const { status, text } = await this.text(method, path, opts);
    let body: Envelope<T>;
    try {
      body = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new ApiFailure(status, `${method} ${path} answered ${status} with a body that is not JSON`, []);
    }
    if (body.success === false) throw failureOf(status, text, `${method} ${path}`);
    return { ...body, status };
  }
}

/** Paths under the account, shared by the commands and the fixture test. */
export const paths = {
  namespaces: () => "/workers/dispatch/namespaces",
  namespace: (ns: string) => `/workers/dispatch/namespaces/${encodeURIComponent(ns)}`,
  scripts: (ns: string) => `/workers/dispatch/namespaces/${encodeURIComponent(ns)}/scripts`,
  script: (ns: string, name: string) => `/workers/dispatch/namespaces/${encodeURIComponent(ns)}/scripts/${encodeURIComponent(name)}`,
  tags: (ns: string, name: string) => `${paths.script(ns, name)}/tags`,
  tag: (ns: string, name: string, tag: string) => `${paths.script(ns, name)}/tags/${encodeURIComponent(tag)}`,
  kvValue: (id: string, key: string) => `/storage/kv/namespaces/${encodeURIComponent(id)}/values/${encodeURIComponent(key)}`,
  kvMetadata: (id: string, key: string) => `/storage/kv/namespaces/${encodeURIComponent(id)}/metadata/${encodeURIComponent(key)}`,
  kvKeys: (id: string) => `/storage/kv/namespaces/${encodeURIComponent(id)}/keys`,
};
