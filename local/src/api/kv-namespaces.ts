/**
 * The KV namespaces of the account: locally there is one, the plans namespace
 * (binding PLANS, id PLANS_KV_ID), so it is listed and read, never created,
 * renamed or deleted.
 */
import type { Context } from "hono";
import { ApiError, codes, success } from "./envelope.ts";

type Ctx = Context<{ Bindings: Env }>;

const MAX_PER_PAGE = 1000;
const DEFAULT_PER_PAGE = 20;

export function plansNamespace(env: Env) {
  // The title is the one deploy/ gives the namespace on Cloudflare: the id locally.
  return { id: env.PLANS_KV_ID, title: env.PLANS_KV_ID, supports_url_encoding: true };
}

export function namespaceNotFound(env: Env, id: string): ApiError {
  return new ApiError(404, codes.kvNamespaceNotFound,
    `get namespace: 'namespace not found' ("${id}"; the local API serves "${env.PLANS_KV_ID}")`);
}

function positiveInt(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(400, codes.badRequest, `${name} must be an integer from 1 to ${max}`);
  }
  return n;
}

/**
 * `page` is 1-based. A page past the end is empty: wrangler and the SDK ask for the
 * next page until one comes back empty, whatever `total_count` says.
 */
export function listNamespaces(c: Ctx): Response {
  const page = positiveInt(c.req.query("page"), "page", 1, Number.MAX_SAFE_INTEGER);
  const perPage = positiveInt(c.req.query("per_page"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
  const all = [plansNamespace(c.env)];
  const result = all.slice((page - 1) * perPage, page * perPage);
  return c.json({
    ...success(result),
    result_info: { page, per_page: perPage, count: result.length, total_count: all.length, total_pages: Math.ceil(all.length / perPage) },
  });
}

/** Creating, renaming and deleting namespaces: refused, the bindings are fixed at startup. */
export function unsupported(c: Ctx, action: string): never {
  throw new ApiError(400, codes.badRequest,
    `${action}: the local API serves one KV namespace, "${c.env.PLANS_KV_ID}" (the PLANS binding); namespaces cannot be created, renamed or deleted locally`);
}

export async function createNamespace(c: Ctx): Promise<never> {
  let title: unknown;
  try {
    title = ((await c.req.json()) as { title?: unknown } | null)?.title;
  } catch {
    throw new ApiError(400, codes.badRequest, "create namespace: the body must be JSON {\"title\": \"...\"}");
  }
  if (typeof title !== "string" || title === "") {
    throw new ApiError(400, codes.badRequest, "create namespace: title must be a non-empty string");
  }
  if (title === plansNamespace(c.env).title) {
    throw new ApiError(400, codes.kvNamespaceTitleExists, "a namespace with this account ID and title already exists");
  }
  return unsupported(c, "create namespace");
}
