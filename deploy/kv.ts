/**
 * The PLANS KV namespace, found or created by title through the KV REST API.
 *
 * Why not wrangler's automatic provisioning (a KV binding without `id`)? Wrangler
 * 4.164 names a provisioned namespace `<worker>-<binding>` (it has no title field
 * for KV), so the tail, the dispatcher and the dashboard would each get their own
 * namespace, and plans written by the dashboard would never reach the dispatcher.
 * One namespace, created once under a fixed title and bound by id everywhere, is
 * what core/KV.md requires.
 */
import { PLANS_KV_TITLE } from "./workers.ts";

export interface Credentials {
  accountId: string;
  token: string;
  /** https://api.cloudflare.com unless CLOUDFLARE_API_BASE_URL says otherwise. */
  apiBase: string;
}

interface Envelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: unknown;
  result_info?: { total_pages?: number };
}

interface KvNamespace {
  id: string;
  title: string;
}

function isNamespace(v: unknown): v is KvNamespace {
  return typeof v === "object" && v !== null && "id" in v && "title" in v && typeof v.id === "string" && typeof v.title === "string";
}

async function call(creds: Credentials, method: "GET" | "POST", path: string, body?: object): Promise<Envelope> {
  const url = `${creds.apiBase}/client/v4/accounts/${encodeURIComponent(creds.accountId)}${path}`;
  const init: RequestInit = { method, headers: { authorization: `Bearer ${creds.token}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const envelope = (await res.json().catch(() => ({}))) as Envelope;
  if (!res.ok || envelope.success === false) {
    // The API's own messages; the request (and so the token) is never echoed.
    const errors = (envelope.errors ?? []).map((e) => `${e.message ?? "error"}${e.code === undefined ? "" : ` (code ${e.code})`}`);
    throw new Error(`${method} ${path}: HTTP ${res.status}${errors.length > 0 ? `: ${errors.join("; ")}` : ""}`);
  }
  return envelope;
}

export async function findPlansNamespace(creds: Credentials): Promise<string | null> {
  for (let page = 1; ; page++) {
    const envelope = await call(creds, "GET", `/storage/kv/namespaces?per_page=100&page=${page}`);
    const list = Array.isArray(envelope.result) ? envelope.result.filter(isNamespace) : [];
    const found = list.find((ns) => ns.title === PLANS_KV_TITLE);
    if (found !== undefined) return found.id;
    const pages = envelope.result_info?.total_pages ?? 1;
    if (list.length === 0 || page >= pages) return null;
  }
}

/** The id of the namespace titled tenantscope-plans, creating it on first deploy. */
export async function ensurePlansNamespace(creds: Credentials): Promise<{ id: string; created: boolean }> {
  const existing = await findPlansNamespace(creds);
  if (existing !== null) return { id: existing, created: false };
  const envelope = await call(creds, "POST", "/storage/kv/namespaces", { title: PLANS_KV_TITLE });
  if (!isNamespace(envelope.result)) throw new Error("POST /storage/kv/namespaces: no namespace id in the answer");
  return { id: envelope.result.id, created: true };
}
