import { exports } from "cloudflare:workers";

export const TOKEN = "local";
export const API = "http://api.local/client/v4/accounts/local";
export const NS_API = `${API}/workers/dispatch/namespaces`;

export interface Envelope<T = unknown> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: unknown[];
  result: T;
  result_info?: { count: number; per_page?: number; cursor?: string };
}

export async function api<T = unknown>(path: string, init: RequestInit = {}, token: string | null = TOKEN):
  Promise<{ status: number; body: Envelope<T> }> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  const res = await exports.default.fetch(new Request(path.startsWith("http") ? path : `${NS_API}${path}`, { ...init, headers }));
  return { status: res.status, body: (await res.json()) as Envelope<T> };
}

export async function createNamespace(name: string): Promise<void> {
  const res = await api("", { method: "POST", body: JSON.stringify({ name }), headers: { "content-type": "application/json" } });
  if (res.status !== 200) throw new Error(`create namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface UploadOptions {
  metadata?: Record<string, unknown>;
  modules?: Record<string, { source: string; type?: string }>;
}

/** A modules-format upload, as a platform (and the CLI) sends it. */
export function multipart(source: string, opts: UploadOptions = {}): FormData {
  const form = new FormData();
  const metadata = { main_module: "index.js", compatibility_date: "2026-11-01", ...opts.metadata };
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
  form.append("index.js", new Blob([source], { type: "application/javascript+module" }), "index.js");
  for (const [name, mod] of Object.entries(opts.modules ?? {})) {
    form.append(name, new Blob([mod.source], { type: mod.type ?? "application/javascript+module" }), name);
  }
  return form;
}

export async function upload(ns: string, name: string, source: string, opts: UploadOptions = {}) {
  return api<{ etag: string; tags: string[]; deployment_id: string; startup_time_ms: number }>(`/${ns}/scripts/${name}`, { method: "PUT", body: multipart(source, opts) });
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}
