/**
 * Access to the Registry DO, with an isolate cache of script metadata so that a
 * tenant call does not cost a DO round trip. The REST API runs in this same
 * isolate and invalidates on every write (uploads, tag changes, deletes of a
 * script, of a tag-filtered set, or of a whole namespace), so the cache never
 * serves a deleted or replaced script.
 */
import type { Registry } from "./registry.ts";
import { getModulesInParts, putScriptInParts } from "./transfer.ts";
import type { ModuleRecord, ScriptRecord } from "./types.ts";

type RegistryMethod = "createNamespace" | "getNamespace" | "listNamespaces" | "deleteNamespace"
  | "putScript" | "getScript" | "deleteScript" | "listScripts" | "deleteScriptsMatching"
  | "changeTags" | "stagePart" | "putStagedScript" | "readModules";

/**
 * The DO's methods as seen over RPC. Spelled out from the class because the
 * generic stub type recurses too deeply on JSON-typed fields.
 */
type RegistryStub = {
  [K in RegistryMethod]: (...args: Parameters<Registry[K]>) => Promise<Awaited<ReturnType<Registry[K]>>>;
};

/** The registry as the API uses it: code moves in parts under the RPC limit (transfer.ts). */
export type RegistryApi = Omit<RegistryStub, "stagePart" | "putStagedScript" | "readModules"> & {
  getModules(namespace: string, name: string, etag: string): Promise<ModuleRecord[] | null>;
};

const MAX_CACHED = 10_000;
const scripts = new Map<string, ScriptRecord | null>();
/**
 * Bumped by every invalidation. A lookup that started before a write may carry
 * the pre-write record back from the DO; it must not put that into the cache,
 * or a deleted namespace's script would stay callable until the next write.
 */
let generation = 0;

export function registryStub(env: Env): RegistryApi {
  const stub = env.REGISTRY.get(env.REGISTRY.idFromName("registry")) as unknown as RegistryStub;
  return {
    createNamespace: (...a) => stub.createNamespace(...a),
    getNamespace: (...a) => stub.getNamespace(...a),
    listNamespaces: () => stub.listNamespaces(),
    deleteNamespace: (...a) => stub.deleteNamespace(...a),
    putScript: (namespace, name, upload) => putScriptInParts(stub, namespace, name, upload),
    getScript: (...a) => stub.getScript(...a),
    getModules: (namespace, name, etag) => getModulesInParts(stub, namespace, name, etag),
    deleteScript: (...a) => stub.deleteScript(...a),
    listScripts: (...a) => stub.listScripts(...a),
    deleteScriptsMatching: (...a) => stub.deleteScriptsMatching(...a),
    changeTags: (...a) => stub.changeTags(...a),
  };
}

const key = (namespace: string, name: string) => `${namespace}\u0000${name}`;

export async function lookupScript(env: Env, namespace: string, name: string): Promise<ScriptRecord | null> {
  const k = key(namespace, name);
  const hit = scripts.get(k);
  if (hit !== undefined) return hit;
  const started = generation;
  const found = await registryStub(env).getScript(namespace, name);
  if (started !== generation) return found;
  if (scripts.size >= MAX_CACHED) scripts.clear();
  scripts.set(k, found);
  return found;
}

export function invalidateScript(namespace: string, name: string): void {
  generation++;
  scripts.delete(key(namespace, name));
}

export function invalidateNamespace(namespace: string): void {
  generation++;
  const prefix = `${namespace}\u0000`;
  for (const k of scripts.keys()) if (k.startsWith(prefix)) scripts.delete(k);
}
