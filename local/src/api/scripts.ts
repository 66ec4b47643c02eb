/**
 * One script in a dispatch namespace: upload, read, delete, and the sub-resources the
 * SDK and wrangler call (content, settings, bindings; secrets and tags have files of
 * their own). Mounted under /:ns/scripts/:script by routes.ts.
 */
import { Hono } from "hono";
import { invalidateScript, registryStub } from "../store/client.ts";
import { success } from "./envelope.ts";
import { namespaceNotFound, scriptNotFound, scriptTarget } from "./params.ts";
import { bindingResult, scriptResult, settingsResult, uploadResult } from "./results.ts";
import { changedVersion, resolveBindings, resolveUpload, saveScript, storedScript, storedVersion } from "./save.ts";
import { scriptSecrets } from "./secrets.ts";
import { scriptTags } from "./tags.ts";
import { parseContent, parseUpload, readForm } from "./upload.ts";
import { KEPT_SETTINGS, bad, jsonObject, parseBindings, parseDate, parseFlags, parseTailConsumers, validateTags } from "./upload-metadata.ts";
import type { JsonValue, ScriptUpload } from "../store/types.ts";

export const script = new Hono<{ Bindings: Env }>();

script.put("/", async (c) => {
  const { ns, name } = scriptTarget(c);
  const parsed = await parseUpload(c.req.raw);
  const previous = await registryStub(c.env).getScript(ns, name);
  const saved = await saveScript(c.env, ns, name, resolveUpload(parsed, previous));
  return c.json(success(uploadResult(saved.script, saved.startupMs)), saved.created ? 201 : 200);
});

script.get("/", async (c) => {
  const { ns, name } = scriptTarget(c);
  const found = await storedScript(c.env, ns, name);
  return c.json(success({ created_on: found.createdOn, modified_on: found.modifiedOn, dispatch_namespace: ns, script: scriptResult(found) }));
});

script.delete("/", async (c) => {
  const { ns, name } = scriptTarget(c);
  const stub = registryStub(c.env);
  const deleted = await stub.deleteScript(ns, name);
  invalidateScript(ns, name);
  if (!deleted) {
    if ((await stub.getNamespace(ns)) === null) throw namespaceNotFound(ns);
    throw scriptNotFound(ns, name);
  }
  return c.json(success(null));
});

const CONTENT_TYPES: Record<string, string> = {
  esm: "application/javascript+module", cjs: "application/javascript", text: "text/plain",
  json: "application/json", wasm: "application/wasm", data: "application/octet-stream",
};

/** The code as uploaded: one part per module, named as uploaded; the main module's name in CF-Entrypoint. */
script.get("/content", async (c) => {
  const { ns, name } = scriptTarget(c);
  const { script: found, modules } = await storedVersion(c.env, ns, name);
  const form = new FormData();
  for (const m of modules) form.append(m.name, new File([m.content], m.name, { type: CONTENT_TYPES[m.type] ?? "application/octet-stream" }));
  const body = new Response(form);
  return new Response(body.body, { headers: { "content-type": body.headers.get("content-type") ?? "multipart/form-data", "cf-entrypoint": found.mainModule } });
});

script.put("/content", async (c) => {
  const { ns, name } = scriptTarget(c);
  const content = await parseContent(c.req.raw);
  const { script: found } = await storedVersion(c.env, ns, name);
  const saved = await saveScript(c.env, ns, name, changedVersion(found, content.modules, content));
  return c.json(success(scriptResult(saved.script)));
});

script.get("/bindings", async (c) => {
  const { ns, name } = scriptTarget(c);
  const found = await storedScript(c.env, ns, name);
  return c.json(success(found.bindings.map(bindingResult)));
});

script.get("/settings", async (c) => {
  const { ns, name } = scriptTarget(c);
  return c.json(success(settingsResult(await storedScript(c.env, ns, name))));
});

async function readSettings(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  let text: string;
  if (type.startsWith("multipart/form-data")) {
    const part = (await readForm(request)).get("settings");
    // The SDK 7 sends the settings bracket-flattened, with no `settings` part (cloudflare-typescript#2799).
    if (part === null) throw bad("could not read content for part settings");
    text = typeof part === "string" ? part : await part.text();
  } else {
    text = await request.text();
  }
  return jsonObject(text, "settings");
}

/** A field present replaces the stored one; bindings given replace all (`inherit` keeps one). */
script.patch("/settings", async (c) => {
  const { ns, name } = scriptTarget(c);
  const settings = await readSettings(c.req.raw);
  const { script: found, modules } = await storedVersion(c.env, ns, name);
  const change: Partial<ScriptUpload> = {};
  if (settings.bindings !== undefined) change.bindings = resolveBindings(parseBindings(settings.bindings), [], found);
  if (settings.compatibility_date !== undefined) change.compatibilityDate = parseDate(settings.compatibility_date);
  if (settings.compatibility_flags !== undefined) change.compatibilityFlags = parseFlags(settings.compatibility_flags);
  if (settings.tags !== undefined) change.tags = validateTags(settings.tags);
  if (settings.tail_consumers !== undefined) change.tailConsumers = parseTailConsumers(settings.tail_consumers);
  const kept: Record<string, JsonValue> = { ...found.settings };
  for (const key of KEPT_SETTINGS) if (settings[key] !== undefined) kept[key] = settings[key] as JsonValue;
  change.settings = kept;
  const saved = await saveScript(c.env, ns, name, changedVersion(found, modules, change));
  return c.json(success(settingsResult(saved.script)));
});

script.route("/", scriptSecrets);
script.route("/tags", scriptTags);
