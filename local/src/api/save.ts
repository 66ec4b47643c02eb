/**
 * Every write of a script version goes through here (an upload, new content, new
 * settings, a secret): the bindings are resolved against the version it replaces,
 * the result is loaded once in a probe isolate, and only then stored.
 */
import { invalidateScript, registryStub } from "../store/client.ts";
import type { BindingSpec, ModuleRecord, ScriptRecord, ScriptUpload } from "../store/types.ts";
import { namespaceNotFound, scriptNotFound } from "./params.ts";
import { probeUpload } from "./probe.ts";
import { bad, type BindingInput } from "./upload-metadata.ts";
import type { ParsedUpload } from "./upload.ts";

export interface Saved {
  script: ScriptRecord;
  created: boolean;
  startupMs: number;
}

/**
 * `inherit` takes a binding (value and all) from the previous version; `keep_bindings`
 * carries over every previous binding of the listed types that is not re-declared.
 * Wrangler always sends `keep_bindings: ["secret_text", "secret_key"]`, so a redeploy
 * keeps the secrets set since.
 */
export function resolveBindings(declared: readonly BindingInput[], keep: readonly string[], previous: ScriptRecord | null): BindingSpec[] {
  const before = previous?.bindings ?? [];
  const out: BindingSpec[] = declared.map((b) => {
    if (b.type !== "inherit") return b;
    const old = before.find((p) => p.name === b.oldName);
    if (old === undefined) throw bad(`binding "${b.name}" (inherit): the previous version has no binding named "${b.oldName}"`);
    return { ...old, name: b.name };
  });
  const names = new Set(out.map((b) => b.name));
  for (const b of before) {
    if (keep.includes(b.type) && !names.has(b.name)) out.push(b);
  }
  return out;
}

export function resolveUpload(parsed: ParsedUpload, previous: ScriptRecord | null): ScriptUpload {
  return {
    format: parsed.format,
    mainModule: parsed.mainModule,
    modules: parsed.modules,
    bindings: resolveBindings(parsed.bindings, parsed.keepBindings, previous),
    // Tags belong to the script, not to a version: an upload without them keeps them.
    tags: parsed.tags ?? previous?.tags ?? [],
    tailConsumers: parsed.tailConsumers,
    compatibilityDate: parsed.compatibilityDate,
    compatibilityFlags: parsed.compatibilityFlags,
    settings: parsed.settings,
  };
}

/** The script as stored; 404s as Cloudflare's for a missing namespace or script. */
export async function storedScript(env: Env, namespace: string, name: string): Promise<ScriptRecord> {
  const stub = registryStub(env);
  const script = await stub.getScript(namespace, name);
  if (script !== null) return script;
  if ((await stub.getNamespace(namespace)) === null) throw namespaceNotFound(namespace);
  throw scriptNotFound(namespace, name);
}

/** The script's record and code, for a change that keeps one of them. */
export async function storedVersion(env: Env, namespace: string, name: string): Promise<{ script: ScriptRecord; modules: ModuleRecord[] }> {
  const script = await storedScript(env, namespace, name);
  const modules = await registryStub(env).getModules(namespace, name, script.etag);
  // Replaced between the two reads: the caller's change would be made to a version it did not see.
  if (modules === null) throw new Error(`script ${namespace}/${name} changed while it was being read; try again`);
  return { script, modules };
}

/** The upload a settings or secrets change makes: the stored version with some fields replaced. */
export function changedVersion(script: ScriptRecord, modules: ModuleRecord[], change: Partial<ScriptUpload>): ScriptUpload {
  return {
    format: script.format,
    mainModule: script.mainModule,
    modules,
    bindings: script.bindings,
    tags: script.tags,
    tailConsumers: script.tailConsumers,
    compatibilityDate: script.compatibilityDate,
    compatibilityFlags: script.compatibilityFlags,
    settings: script.settings,
    ...change,
  };
}

export async function saveScript(env: Env, namespace: string, name: string, upload: ScriptUpload): Promise<Saved> {
  const stub = registryStub(env);
  // A missing namespace is refused before the probe, which would load the code for nothing.
  if ((await stub.getNamespace(namespace)) === null) throw namespaceNotFound(namespace);
  const startupMs = await probeUpload(env, namespace, name, upload);
  const saved = await stub.putScript(namespace, name, upload);
  invalidateScript(namespace, name);
  if (!saved.ok) throw namespaceNotFound(namespace);
  return { script: saved.script, created: saved.created, startupMs };
}
