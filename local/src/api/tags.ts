/**
 * Script tags: GET/PUT the list, PUT/DELETE one tag, and the `tags=a:yes,b:no`
 * filter that listing and bulk deletion share. Mounted under
 * /:ns/scripts/:script/tags by routes.ts.
 */
import { Hono } from "hono";
import { invalidateScript, registryStub } from "../store/client.ts";
import { MAX_TAGS } from "../store/tags.ts";
import type { TagChange, TagFilter } from "../store/types.ts";
import { ApiError, codes, success } from "./envelope.ts";
import { namespaceNotFound, scriptNotFound, scriptTarget } from "./params.ts";
import { validateTags } from "./upload-metadata.ts";

/** Bounds the SQL a filter turns into (one probe per entry). */
const MAX_FILTER_ENTRIES = 16;

function badFilter(message: string): ApiError {
  return new ApiError(400, codes.badRequest, `invalid tags filter: ${message}; expected tags=name:yes,other:no`);
}

/** Parses `a:yes,b:no`; null when absent or empty (no filtering). */
export function parseTagFilter(raw: string | undefined): TagFilter | null {
  if (raw === undefined || raw.trim() === "") return null;
  const filter: TagFilter = { yes: [], no: [] };
  const entries = raw.split(",");
  if (entries.length > MAX_FILTER_ENTRIES) throw badFilter(`at most ${MAX_FILTER_ENTRIES} entries`);
  for (const entry of entries) {
    // The last colon separates, so a tag may itself contain ":".
    const colon = entry.lastIndexOf(":");
    const tag = colon === -1 ? "" : entry.slice(0, colon);
    const mode = colon === -1 ? "" : entry.slice(colon + 1).toLowerCase();
    if (tag === "" || (mode !== "yes" && mode !== "no")) throw badFilter(`"${entry}" is not tag:yes or tag:no`);
    if (filter[mode === "yes" ? "no" : "yes"].includes(tag)) throw badFilter(`"${tag}" is both yes and no`);
    if (!filter[mode].includes(tag)) filter[mode].push(tag);
  }
  return filter;
}

export function matchesFilter(tags: readonly string[], filter: TagFilter): boolean {
  return filter.yes.every((t) => tags.includes(t)) && !filter.no.some((t) => tags.includes(t));
}

function oneTag(raw: string): string {
  const [tag] = validateTags([raw]);
  if (tag === undefined) throw new ApiError(400, codes.badRequest, "empty tag");
  return tag;
}

function unwrap(change: TagChange, ns: string, name: string): string[] {
  if (change.ok) return change.tags;
  if (change.reason === "namespace_not_found") throw namespaceNotFound(ns);
  if (change.reason === "script_not_found") throw scriptNotFound(ns, name);
  throw new ApiError(400, codes.badRequest, `a script can have at most ${MAX_TAGS} tags`);
}

export const scriptTags = new Hono<{ Bindings: Env }>();

/** The tags, or with `?tags=FILTER` whether the script matches that filter (true/false). */
scriptTags.get("/", async (c) => {
  const { ns, name } = scriptTarget(c);
  const filter = parseTagFilter(c.req.query("tags"));
  const stub = registryStub(c.env);
  const script = await stub.getScript(ns, name);
  if (script === null) {
    if ((await stub.getNamespace(ns)) === null) throw namespaceNotFound(ns);
    throw scriptNotFound(ns, name);
  }
  if (filter !== null) return c.json(success(matchesFilter(script.tags, filter)));
  return c.json(success(script.tags, { count: script.tags.length }));
});

/** Replaces the tags with the JSON array in the body. */
scriptTags.put("/", async (c) => {
  const { ns, name } = scriptTarget(c);
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, codes.badRequest, 'body must be a JSON array of tags, like ["customer-1", "production"]');
  }
  if (!Array.isArray(body)) throw new ApiError(400, codes.badRequest, 'body must be a JSON array of tags, like ["customer-1", "production"]');
  const tags = unwrap(await registryStub(c.env).changeTags(ns, name, { set: validateTags(body) }), ns, name);
  invalidateScript(ns, name);
  return c.json(success(tags, { count: tags.length }));
});

scriptTags.put("/:tag", async (c) => {
  const { ns, name } = scriptTarget(c);
  unwrap(await registryStub(c.env).changeTags(ns, name, { add: oneTag(c.req.param("tag")) }), ns, name);
  invalidateScript(ns, name);
  return c.json(success(null));
});

scriptTags.delete("/:tag", async (c) => {
  const { ns, name } = scriptTarget(c);
  unwrap(await registryStub(c.env).changeTags(ns, name, { remove: c.req.param("tag") }), ns, name);
  invalidateScript(ns, name);
  return c.json(success(null));
});
