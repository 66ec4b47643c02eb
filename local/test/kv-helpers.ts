/** Requests to the KV REST API of the stand-in, inside workerd, as wrangler and the SDK send them. */
import { exports } from "cloudflare:workers";
import { API, TOKEN, type Envelope } from "./helpers.ts";

export const NAMESPACES = `${API}/storage/kv/namespaces`;
export const KV = `${NAMESPACES}/tenantscope-plans`;

export function kvFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${TOKEN}`);
  return exports.default.fetch(new Request(path.startsWith("http") ? path : `${KV}${path}`, { ...init, headers }));
}

export async function kvApi<T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: Envelope<T> }> {
  const res = await kvFetch(path, init);
  return { status: res.status, body: (await res.json()) as Envelope<T> };
}

export function json(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

/** `wrangler kv key put --metadata`: both parts are plain text fields. */
export function wranglerForm(value: string, metadata: unknown): FormData {
  const form = new FormData();
  form.append("value", value);
  form.append("metadata", JSON.stringify(metadata));
  return form;
}

/** SDK 6.x `values.update`: metadata as a file part `filename="metadata"`, application/json. */
export function sdk6Form(value: Blob | string, metadata: unknown): FormData {
  const form = new FormData();
  if (typeof value === "string") form.append("value", value);
  else form.append("value", value, "blob");
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }), "metadata");
  return form;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function allBytes(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}
