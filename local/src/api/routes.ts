/** The Dispatch Namespace REST API, as Cloudflare serves it, over the Registry DO. */
import { Hono } from "hono";
import { isTenantName } from "@tenantscope/core/names";
import { invalidateNamespace, invalidateScript, registryStub } from "../store/client.ts";
import type { NamespaceRecord, ScriptRecord } from "../store/types.ts";
import { ApiError, codes, success } from "./envelope.ts";
import { namespaceName, namespaceNotFound, scriptName, scriptNotFound } from "./params.ts";
import { parseTagFilter, scriptTags } from "./tags.ts";
import { parseUpload } from "./upload.ts";

const MAX_PAGE = 1000;

function namespaceResult(ns: NamespaceRecord) {
  return {
    namespace_id: ns.id,
    namespace_name: ns.name,
    created_on: ns.createdOn,
    created_by: "local",
    modified_on: ns.modifiedOn,
    modified_by: "local",
    script_count: ns.scriptCount,
  };
}

/** Script metadata; binding values (secrets included) are never returned. */
export function scriptResult(s: ScriptRecord) {
  return {
    id: s.name,
    etag: s.etag,
    created_on: s.createdOn,
    modified_on: s.modifiedOn,
    handlers: ["fetch"],
    has_modules: s.format === "modules",
    main_module: s.mainModule,
    compatibility_date: s.compatibilityDate,
    compatibility_flags: s.compatibilityFlags,
    tags: s.tags,
    tail_consumers: s.tailConsumers.length === 0 ? null : s.tailConsumers,
    bindings: s.bindings.map((b) => ({ name: b.name, type: b.type })),
    usage_model: "standard",
    size: s.size,
  };
}

function encodeCursor(after: string): string {
  return btoa(after).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decodeCursor(cursor: string): string {
  try {
    const after = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    if (isTenantName(after)) return after;
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
  if (!created) throw new ApiError(409, codes.namespaceExists, `dispatch namespace "${raw}" already exists`);
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

namespaces.put("/:ns/scripts/:script", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  const name = scriptName(c.req.param("script"));
  const upload = await parseUpload(c.req.raw);
  const saved = await registryStub(c.env).putScript(ns, name, upload);
  invalidateScript(ns, name);
  if (!saved.ok) throw namespaceNotFound(ns);
  return c.json(success(scriptResult(saved.script)), saved.created ? 201 : 200);
});

namespaces.get("/:ns/scripts/:script", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  const name = scriptName(c.req.param("script"));
  const stub = registryStub(c.env);
  const script = await stub.getScript(ns, name);
  if (script === null) {
    if ((await stub.getNamespace(ns)) === null) throw namespaceNotFound(ns);
    throw scriptNotFound(ns, name);
  }
  return c.json(success({
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    dispatch_namespace: ns,
    script: scriptResult(script),
  }));
});

namespaces.delete("/:ns/scripts/:script", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  const name = scriptName(c.req.param("script"));
  const stub = registryStub(c.env);
  const deleted = await stub.deleteScript(ns, name);
  invalidateScript(ns, name);
  if (!deleted) {
    if ((await stub.getNamespace(ns)) === null) throw namespaceNotFound(ns);
    throw scriptNotFound(ns, name);
  }
  return c.json(success(null));
});

namespaces.route("/:ns/scripts/:script/tags", scriptTags);

namespaces.get("/:ns/scripts", async (c) => {
  const ns = namespaceName(c.req.param("ns"));
  const limit = pageLimit(c.req.query("limit"));
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
