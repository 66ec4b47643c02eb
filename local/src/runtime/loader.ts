/**
 * Turns a stored script into Worker Loader code and keeps one loaded isolate per
 * script version (the loader id includes the etag, so an upload loads anew).
 */
import { registryStub } from "../store/client.ts";
import type { BindingSpec, ModuleRecord, ScriptRecord } from "../store/types.ts";
import { wrapperModules } from "./modules.ts";
import { MAIN_MODULE, PROBE_ENTRYPOINT } from "./wrapper/protocol.ts";

export const DEFAULT_COMPATIBILITY_DATE = "2026-11-01";
const decoder = new TextDecoder();

export function bindingsEnv(bindings: BindingSpec[]): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const b of bindings) env[b.name] = b.type === "json" ? b.json : b.text;
  return env;
}

function toLoaderModule(mod: ModuleRecord): WorkerLoaderModule {
  switch (mod.type) {
    case "esm": return { js: decoder.decode(mod.content) };
    case "cjs": return { cjs: decoder.decode(mod.content) };
    case "text": return { text: decoder.decode(mod.content) };
    case "json": return { json: JSON.parse(decoder.decode(mod.content)) as unknown };
    case "wasm": return { wasm: mod.content };
    case "data": return { data: mod.content };
  }
}

/** AsyncLocalStorage (for per-invocation ids) needs one of these flags. */
function withAls(flags: string[]): string[] {
  return flags.includes("nodejs_compat") || flags.includes("nodejs_als") ? flags : [...flags, "nodejs_als"];
}

export interface LoaderContext {
  env: Env;
  gate: Fetcher;
  tails: Fetcher[];
}

export function buildCode(script: ScriptRecord, modules: ModuleRecord[], ctx: LoaderContext): WorkerLoaderWorkerCode {
  const code: Record<string, WorkerLoaderModule> = {};
  for (const mod of modules) code[mod.name] = toLoaderModule(mod);
  Object.assign(code, wrapperModules(script.format, script.mainModule));
  return {
    compatibilityDate: script.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE,
    compatibilityFlags: withAls(script.compatibilityFlags),
    mainModule: MAIN_MODULE,
    modules: code,
    env: bindingsEnv(script.bindings),
    globalOutbound: ctx.gate,
    tails: ctx.tails,
  };
}

export function loaderId(script: ScriptRecord): string {
  return `${script.namespace}/${script.name}@${script.etag}`;
}

export function loadScript(script: ScriptRecord, ctx: LoaderContext): WorkerStub {
  return ctx.env.LOADER.get(loaderId(script), async () => {
    const modules = await registryStub(ctx.env).getModules(script.namespace, script.name, script.etag);
    if (modules === null) throw new Error("Worker not found.");
    return buildCode(script, modules, ctx);
  });
}

const warmed = new Set<string>();

/**
 * Loads the isolate before the timed call, so that module compilation is not
 * charged to the tenant's CPU time (production does not charge startup to it).
 */
export async function warm(stub: WorkerStub, id: string): Promise<void> {
  if (warmed.has(id)) return;
  const probe = stub.getEntrypoint(PROBE_ENTRYPOINT) as unknown as { ping(): Promise<string> };
  await probe.ping();
  if (warmed.size > 10_000) warmed.clear();
  warmed.add(id);
}
