/**
 * The namespace binding, driven from Node: uploads through the local REST API, and
 * calls through the stand-in's local-only `/_local/invoke` route, which runs
 * `get(name, {}, { limits }).fetch(request)` as the dispatcher does and returns what
 * fetch() threw as `{thrown}` (rebuilt here as an Error of the same type).
 */
import type { Stack } from "../local/dev/stack.ts";
import { asciiJson, rebuildException, type TenantException } from "../local/host/src/run-protocol.ts";

export interface Envelope<T = unknown> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: T;
  result_info?: { count: number; per_page?: number; cursor?: string };
}

const THROWN_STATUS = 599;

async function unwrap(res: Response): Promise<Response> {
  if (res.status !== THROWN_STATUS) return res;
  const { thrown } = (await res.json()) as { thrown: TenantException };
  throw rebuildException(thrown);
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}

/** The fields of an upload's answer the tests read. */
export interface UploadAnswer {
  etag: string;
  deployment_id: string;
  startup_time_ms: number;
}

export interface UploadOptions {
  metadata?: Record<string, unknown>;
}

export class NamespaceClient {
  private readonly stack: Stack;

  constructor(stack: Stack) {
    this.stack = stack;
  }

  private url(path: string): string {
    return `${this.stack.urls.api}${path}`;
  }

  async api<T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: Envelope<T> }> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.stack.apiToken}`);
    const res = await fetch(this.url(`/client/v4/accounts/local/workers/dispatch/namespaces${path}`), { ...init, headers });
    return { status: res.status, body: (await res.json()) as Envelope<T> };
  }

  async createNamespace(prefix: string): Promise<string> {
    const name = uniqueName(prefix);
    await this.createNamed(name);
    return name;
  }

  async createNamed(name: string): Promise<void> {
    const res = await this.api("", { method: "POST", body: JSON.stringify({ name }), headers: { "content-type": "application/json" } });
    if (res.status !== 200) throw new Error(`create namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** A modules-format upload, as a platform (and the CLI) sends it. */
  async upload(ns: string, name: string, source: string, opts: UploadOptions = {}): Promise<{ status: number; body: Envelope<UploadAnswer> }> {
    const form = new FormData();
    const metadata = { main_module: "index.js", compatibility_date: "2026-11-01", ...opts.metadata };
    form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
    form.append("index.js", new Blob([source], { type: "application/javascript+module" }), "index.js");
    return this.api<UploadAnswer>(`/${ns}/scripts/${name}`, { method: "PUT", body: form });
  }

  /** The tenant's response; rejects with what its fetch() threw, as the dispatcher would see it. */
  async call(ns: string, name: string, path = "/", limits: { cpuMs?: number; subRequests?: number } = {}): Promise<Response> {
    const res = await fetch(this.url(`/_local/invoke/${ns}/${name}${path}`), {
      headers: { authorization: `Bearer ${this.stack.apiToken}`, "x-tenantscope-limits": JSON.stringify(limits) },
    });
    return unwrap(res);
  }

  /** As `call`, with get()'s own arguments: `get(name, args, options)`. */
  async dispatch(ns: string, name: string, get: GetCall, path = "/"): Promise<Response> {
    const res = await fetch(this.url(`/_local/invoke/${ns}/${name}${path}`), {
      headers: { authorization: `Bearer ${this.stack.apiToken}`, "x-tenantscope-get": asciiJson(get) },
    });
    return unwrap(res);
  }
}

/** get()'s arguments as the local-only invoke route takes them (local/src/api/invoke.ts). */
export interface GetCall {
  args?: unknown;
  options?: unknown;
  outboundWorker?: { service: string; parameters: string[] };
}

/** Settles a call that is expected to fail, without an unhandled rejection. */
export async function failure(call: Promise<Response>): Promise<string> {
  return call.then(() => "resolved", (e: unknown) => (e instanceof Error ? e.message : String(e)));
}
