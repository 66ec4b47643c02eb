/**
 * Upload validation, as Cloudflare does it: the script is loaded once, in a fresh
 * isolate of a tenant process, before anything is stored. A syntax error, a throw
 * in the global scope, a missing import, an unknown compatibility flag or a global
 * scope past the startup limit is refused with code 10021 and the runtime's text.
 * The code waits here, in memory, while the tenant host fetches it like any other.
 */
import {
  CPU_HEADER,
  RUN_ERROR_HEADER,
  RUN_HEADER,
  STARTUP_EXCEEDED,
  STARTUP_LIMIT_MS,
  SUPERVISOR_PATHS,
  isolateOf,
  type RunHeader,
  type TenantException,
} from "../../host/src/run-protocol.ts";
import { etagOf } from "../store/etag.ts";
import type { ModuleRecord, ScriptCode, ScriptRecord, ScriptUpload } from "../store/types.ts";
import { ApiError, codes } from "./envelope.ts";

/** Versions being probed, by isolate; several uploads of the same version may wait at once. */
const pending = new Map<string, { code: ScriptCode; waiting: number }>();

function base64(content: ArrayBuffer): string {
  const bytes = new Uint8Array(content);
  let binary = "";
  // In slices: String.fromCharCode takes its bytes as arguments.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function codeOf(script: ScriptRecord, modules: readonly ModuleRecord[]): ScriptCode {
  return { script, modules: modules.map((m) => ({ name: m.name, type: m.type, content: base64(m.content) })) };
}

/** The code of a script version being probed (the runtime's code route serves it). */
export function probeCode(namespace: string, script: string, etag: string): ScriptCode | null {
  return pending.get(isolateOf(namespace, script, etag))?.code ?? null;
}

/** workerd's "Failed to start Worker:" preamble is not part of what Cloudflare answers. */
function loadError(thrown: TenantException): string {
  return thrown.message.replace(/^Failed to start Worker:\s*/, "").trim();
}

/**
 * Loads the upload once, in the isolate its invocations will use once it is stored
 * (so it is not loaded twice, and a version uploaded again is not loaded again);
 * answers its startup CPU in ms, or throws the refusal.
 */
export async function probeUpload(env: Env, namespace: string, name: string, upload: ScriptUpload): Promise<number> {
  const etag = await etagOf(upload);
  const isolate = isolateOf(namespace, name, etag);
  const now = new Date().toISOString();
  const script: ScriptRecord = {
    namespace, name, id: name, etag, createdOn: now, modifiedOn: now, format: upload.format, mainModule: upload.mainModule,
    compatibilityDate: upload.compatibilityDate, compatibilityFlags: upload.compatibilityFlags, bindings: upload.bindings,
    tags: upload.tags, tailConsumers: [], settings: upload.settings, size: upload.modules.reduce((n, m) => n + m.content.byteLength, 0),
  };
  const entry = pending.get(isolate) ?? { code: codeOf(script, upload.modules), waiting: 0 };
  entry.waiting += 1;
  pending.set(isolate, entry);
  const run: RunHeader = { id: `probe-${crypto.randomUUID()}`, isolate, namespace, script: name, etag, cpuMs: STARTUP_LIMIT_MS };
  let response: Response;
  try {
    response = await env.TENANT_RUNNER.fetch(`http://runner${SUPERVISOR_PATHS.probe}`, { method: "POST", headers: { [RUN_HEADER]: JSON.stringify(run) } });
  } catch (error) {
    throw new ApiError(503, codes.internal, `uploads are checked by loading them, and the local tenant runner cannot be reached (${String(error)}); nothing was stored`);
  } finally {
    entry.waiting -= 1;
    if (entry.waiting === 0) pending.delete(isolate);
  }
  const failure = response.headers.get(RUN_ERROR_HEADER);
  if (response.status === 204 && failure === null) return Math.round(Number(response.headers.get(CPU_HEADER) ?? "0") || 0);
  if (failure === "exception") throw new ApiError(400, codes.badRequest, loadError(await response.json<TenantException>()));
  if (failure === "cpu_killed") throw new ApiError(400, codes.badRequest, `Error: ${STARTUP_EXCEEDED}`);
  const text = (await response.text()).slice(0, 300);
  throw new ApiError(503, codes.internal, `the local tenant runner could not load the upload (${response.status} ${failure ?? ""}): ${text}; nothing was stored`);
}
