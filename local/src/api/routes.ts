/** The Dispatch Namespace REST API, as Cloudflare serves it, over the Registry DO. */
import { Hono } from "hono";
import { isScriptName } from "@tenantscope/core/names";
import { invalidateNamespace, registryStub } from "../store/client.ts";
import { ApiError, codes, success } from "./envelope.ts";
import { namespaceName, namespaceNotFound } from "./params.ts";
import { namespaceResult, scriptResult } from "./results.ts";
import { script } from "./scripts.ts";
import { parseTagFilter } from "./tags.ts";

const MAX_PAGE = 1000;

function encodeCursor(after: string): string {
  return btoa(after).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decodeCursor(cursor: string): string {
  try {
    const after = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    if (isScriptName(after)) return after;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(400, codes.badRequest, "invalid cursor");
}

function pageLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return MAX_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ApiError(400, codes.badRequest, "limit must be a positive integer");
  return Math.min(n, MAX_PAGE);
}

export const namespaces = new Hono<{ Bindings: Env }>();

namespaces.post("/", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, codes.badRequest, 'body must be JSON like {"name": "my-namespace"}');
  }
  const raw = typeof body === "object" && body !== null && "name" in body ? body.name : undefined;
  if (typeof raw !== "string") throw new ApiError(400, codes.badRequest, 'body must be JSON like {"name": "my-namespace"}');
  const { created, namespace } = await registryStub(c.env).createNamespace(namespaceName(raw));
  // The SDKs retry a 409 twice unless told not to.
  if (!created) throw new ApiError(409, codes.namespaceExists, `dispatch namespace "${raw}" already exists`, { "x-should-retry": "false" });
  return c.json(success(namespaceResult(namespace)));
});

namespaces.get("/", async (c) => {
  const all = await registryStub(c.env).listNamespaces();
  return c.json(success(all.map(namespaceResult), { count: all.length, total_count: all.length }));
});

namespaces.get("/:ns", async (c) => {
  const name = namespaceName(c.req.param("ns"));
  const ns = await registryStub(c.env).getNamespace(name);
  if (ns === null) throw namespaceNotFound(name);
  return c.json(success(namespaceResult(ns)));
});

namespaces.delete("/:ns", async (c) => {
  const name = namespaceName(c.req.param("ns"));
  const deleted = await registryStub(c.env).deleteNamespace(name);
  invalidateNamespace(name);
  if (!deleted) throw namespaceNotFound(name);
  return c.json(success(null));
});

/**
 * Cloudflare no longer renames dispatch namespaces (workers-sdk#5225), though wrangler
 * still has the command. Any code but 10000/9106, which start wrangler's login checks.
 */
namespaces.put("/:ns", (c) => {
  namespaceName(c.req.param("ns"));
  throw new ApiError(405, codes.methodNotAllowed, "renaming dispatch namespaces is not supported: create a new namespace and upload its scripts there");
});

namespaces.route("/:ns/scripts/:script", script);

namespaces.get("/:ns/scripts", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  // The SDK pages with per_page (its CursorPagination); our CLI with limit.
  const limit = pageLimit(c.req.query("per_page") ?? c.req.query("limit"));
  const cursor = c.req.query("cursor");
  const after = cursor === undefined || cursor === "" ? null : decodeCursor(cursor);
  const filter = parseTagFilter(c.req.query("tags"));
  const stub = registryStub(c.env);
  if ((await stub.getNamespace(ns)) === null) throw namespaceNotFound(ns);
  const page = await stub.listScripts(ns, limit, after, filter);
  const info: { count: number; per_page: number; cursor?: string } = { count: page.scripts.length, per_page: limit };
  if (page.nextAfter !== null) info.cursor = encodeCursor(page.nextAfter);
  return c.json(success(page.scripts.map(scriptResult), info));
});

/** Deletes every script matching `?tags=`; a filter is required, so no call empties a namespace by accident. */
namespaces.delete("/:ns/scripts", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  const filter = parseTagFilter(c.req.query("tags"));
  if (filter === null) {
    throw new ApiError(400, codes.badRequest, "deleting scripts in bulk needs a tags filter, like ?tags=customer-1:yes");
  }
  const deleted = await registryStub(c.env).deleteScriptsMatching(ns, filter);
  invalidateNamespace(ns);
  if (deleted === null) throw namespaceNotFound(ns);
  return c.json(success(null));
});
