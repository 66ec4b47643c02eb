/**
 * Turns a stored script into Worker Loader code and keeps one loaded isolate per
 * script version (the loader id includes the etag, so an upload loads anew). The
 * code comes from the stand-in, which holds the registry, on first use only.
 */
import type { BindingSpec, ScriptCode } from "../../src/store/types.ts";
import { wrapperModules } from "./modules.ts";
import { CALIBRATION_FETCHES, CALIBRATION_NAMESPACE, CALIBRATION_TARGET_HEADER, DEFAULT_COMPATIBILITY_DATE, PLATFORM_PATHS, type RunHeader } from "./run-protocol.ts";
import { MAIN_MODULE, PROBE_ENTRYPOINT } from "./wrapper/protocol.ts";

export const WORKER_NOT_FOUND = "Worker not found.";

export function bindingsEnv(bindings: BindingSpec[]): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const b of bindings) env[b.name] = b.type === "json" ? b.json : b.text;
  return env;
}

/** A plain loop: a mapping callback per byte took seconds on a 60 MiB module. */
function bytes(base64: string): ArrayBuffer {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out.buffer;
}

function toLoaderModule(mod: ScriptCode["modules"][number]): WorkerLoaderModule {
  const content = bytes(mod.content);
  const text = (): string => new TextDecoder().decode(content);
  switch (mod.type) {
    case "esm": return { js: text() };
    case "cjs": return { cjs: text() };
    case "text": return { text: text() };
    case "json": return { json: JSON.parse(text()) as unknown };
    case "wasm": return { wasm: content };
    case "data": return { data: content };
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

export function buildCode({ script, modules }: ScriptCode, ctx: LoaderContext): WorkerLoaderWorkerCode {
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

async function fetchCode(env: Env, run: RunHeader): Promise<ScriptCode> {
  const res = await env.PLATFORM.fetch(`http://platform${PLATFORM_PATHS.code(run.namespace, run.script, run.etag)}`, {
    headers: { authorization: `Bearer ${env.API_TOKEN}` },
  });
  // Deleted or replaced since the namespace looked it up: as production, from fetch().
  if (res.status === 404) throw new Error(WORKER_NOT_FOUND);
  if (!res.ok) throw new Error(`the local API answered ${res.status} for the code of ${run.script}: ${(await res.text()).slice(0, 200)}`);
  return res.json<ScriptCode>();
}

export function loadScript(run: RunHeader, env: Env, ctx: () => LoaderContext): WorkerStub {
  return env.LOADER.get(run.isolate, async () => buildCode(await fetchCode(env, run), ctx()));
}

/**
 * Reads a header and answers a line, as the cheapest real tenants do; with
 * CALIBRATION_TARGET_HEADER it first fetches that URL, in sequence (what a subrequest costs).
 */
const NOOP_SOURCE = `export default { async fetch(request) {
  request.headers.get("accept");
  const target = request.headers.get(${JSON.stringify(CALIBRATION_TARGET_HEADER)});
  for (let i = 0; target !== null && i < ${CALIBRATION_FETCHES}; i++) await (await fetch(target)).arrayBuffer();
  return new Response("ok\\n", { status: 203, headers: { "content-type": "text/plain" } });
} };`;

/** The calibration tenant (HOST_PATHS.calibrate): a script of its own, never in the registry. */
export function loadCalibration(env: Env, ctx: () => LoaderContext): WorkerStub {
  const noop = btoa(NOOP_SOURCE);
  const script: ScriptCode["script"] = {
    namespace: CALIBRATION_NAMESPACE, name: "calibration", id: "calibration", etag: "0", createdOn: "", modifiedOn: "", format: "modules",
    mainModule: "index.js", compatibilityDate: null, compatibilityFlags: [], bindings: [], tags: [], tailConsumers: [], settings: {}, size: NOOP_SOURCE.length,
  };
  return env.LOADER.get("__tenantscope/calibration", () => buildCode({ script, modules: [{ name: "index.js", type: "esm", content: noop }] }, ctx()));
}

interface Probe {
  ping(): Promise<string>;
  collect(): Promise<boolean>;
}

const probeOf = (stub: WorkerStub): Probe => stub.getEntrypoint(PROBE_ENTRYPOINT) as unknown as Probe;

/** Loads the isolate, so that module compilation is not charged to the tenant's CPU time. */
export async function warm(stub: WorkerStub): Promise<void> {
  await probeOf(stub).ping();
}

/** A full GC of the tenant's isolate (between invocations: HOST_PATHS.gc); false without the V8 flag. */
export function collectTenant(stub: WorkerStub): Promise<boolean> {
  return probeOf(stub).collect();
}
