/**
 * Parses a script upload as Cloudflare accepts it: a raw service-worker script
 * (`application/javascript`), or multipart form data with a `metadata` part and
 * one part per module (`main_module`), or a service-worker `body_part`. Modules are
 * named by their part's filename, as Cloudflare names them (the SDK sends every
 * module as a part called `files`; wrangler uses the filename as the part name too).
 */
import { ApiError, codes } from "./envelope.ts";
import type { ModuleRecord, ModuleType, ScriptFormat, TailConsumer } from "../store/types.ts";
import { WRAPPER_DIR } from "../../host/src/wrapper/protocol.ts";
import {
  bad,
  jsonObject,
  keptSettings,
  parseBindings,
  parseDate,
  parseFlags,
  parseKeepBindings,
  parseTailConsumers,
  validateTags,
  type BindingInput,
} from "./upload-metadata.ts";

/** Cloudflare's Worker size limit since 2026-09: 64 MiB uncompressed, on every plan. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;
/** Parts that are not modules: kept out of the isolate, as Cloudflare uses them for stack traces only. */
const SOURCE_MAP_TYPE = "application/source-map";

/** An upload before the previous version is known (keep_bindings and inherit need it). */
export interface ParsedUpload {
  format: ScriptFormat;
  mainModule: string;
  modules: ModuleRecord[];
  bindings: BindingInput[];
  keepBindings: string[];
  /** Absent from the metadata: the script keeps the tags it has (tags belong to the script, not a version). */
  tags: string[] | null;
  tailConsumers: TailConsumer[];
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  settings: ReturnType<typeof keptSettings>;
}

function moduleType(contentType: string, isMain: boolean, name: string): ModuleType | "source-map" {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/javascript+module" || type === "text/javascript+module") return "esm";
  if (type === "application/javascript" || type === "text/javascript") {
    // The main module of a modules upload is an ES module; others follow Cloudflare (CommonJS).
    return isMain || name.endsWith(".mjs") ? "esm" : "cjs";
  }
  if (type === "application/wasm") return "wasm";
  if (type === "text/plain") return "text";
  if (type === "application/json") return "json";
  if (type === "application/octet-stream" || type === "") return "data";
  if (type === SOURCE_MAP_TYPE) return "source-map";
  if (type.startsWith("text/x-python")) throw bad(`module "${name}": Python Workers are not supported by the local namespace`);
  throw bad(`module files has unsupported Content-Type ${type} (module "${name}")`);
}

/** Module names are paths inside the Worker: no escaping it, no absolute paths, no reserved folder. */
export function checkModuleName(name: string): string {
  const segments = name.split("/");
  if (name === "" || name.startsWith("/") || name.includes("\\") || name.includes("\u0000") || segments.some((s) => s === ".." || s === "." || s === "")) {
    throw bad(`invalid module name "${name}": use a relative path without "." or ".." segments`);
  }
  if (segments[0] === WRAPPER_DIR) throw bad(`module names under "${WRAPPER_DIR}/" are reserved`);
  return name;
}

function tooLarge(bytes: number, what: string): ApiError {
  return new ApiError(413, codes.tooLarge, `workers.api.error.script_too_large: ${what} is ${bytes} bytes; the limit is ${MAX_SCRIPT_BYTES} (64 MiB)`);
}

function checkSize(modules: readonly ModuleRecord[]): void {
  const total = modules.reduce((n, m) => n + m.content.byteLength, 0);
  if (total > MAX_SCRIPT_BYTES) throw tooLarge(total, "the script");
}

function fromMetadata(meta: Record<string, unknown>, format: ScriptFormat, mainModule: string, modules: ModuleRecord[]): ParsedUpload {
  checkSize(modules);
  return {
    format,
    mainModule,
    modules,
    bindings: parseBindings(meta.bindings),
    keepBindings: parseKeepBindings(meta.keep_bindings),
    tags: meta.tags === undefined ? null : validateTags(meta.tags),
    tailConsumers: parseTailConsumers(meta.tail_consumers),
    compatibilityDate: parseDate(meta.compatibility_date),
    compatibilityFlags: parseFlags(meta.compatibility_flags),
    settings: keptSettings(meta),
  };
}

async function readMetadata(form: FormData): Promise<Record<string, unknown>> {
  const metaPart = form.get("metadata");
  // Cloudflare's own text for an upload without it (cloudflare-typescript#158).
  if (metaPart === null) throw bad("could not read content for part metadata");
  return jsonObject(typeof metaPart === "string" ? metaPart : await metaPart.text(), "metadata");
}

/** The module parts by module name: the part's filename, else its field name. */
async function readModules(form: FormData, main: string | null): Promise<ModuleRecord[]> {
  const modules: ModuleRecord[] = [];
  const names = new Set<string>();
  for (const [field, part] of form.entries()) {
    if (field === "metadata") continue;
    if (typeof part === "string") throw bad(`part "${field}" must be a file part with a content type`);
    const name = checkModuleName(part.name === "" || part.name === "blob" ? field : part.name);
    const type = moduleType(part.type, name === main, name);
    if (type === "source-map") continue;
    if (names.has(name)) throw bad(`module "${name}" is uploaded twice`);
    names.add(name);
    modules.push({ name, type, content: await part.arrayBuffer() });
  }
  return modules;
}

export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw bad("body is not valid multipart/form-data");
  }
}

export interface ScriptContent {
  format: ScriptFormat;
  mainModule: string;
  modules: ModuleRecord[];
}

/** The code of a multipart upload; the main part is named by the metadata (or, for PUT …/content, a header). */
async function readContent(form: FormData, mainModule: unknown, bodyPart: unknown): Promise<ScriptContent> {
  if (typeof bodyPart === "string") {
    const modules = await readModules(form, null);
    const body = modules.find((m) => m.name === bodyPart);
    if (body === undefined) throw bad(`body_part "${bodyPart}" is not among the uploaded parts`);
    return { format: "service-worker", mainModule: body.name, modules: [{ ...body, type: "esm" }] };
  }
  if (typeof mainModule !== "string") throw bad("metadata needs main_module (ES modules) or body_part (service worker)");
  const modules = await readModules(form, mainModule);
  // Cloudflare's own text for it (wrangler-legacy#1952).
  if (!modules.some((m) => m.name === mainModule)) throw bad(`Uncaught TypeError: Main module name is not present in bundle. (main_module "${mainModule}")`);
  return { format: "modules", mainModule, modules };
}

async function parseMultipart(request: Request): Promise<ParsedUpload> {
  const form = await readForm(request);
  const meta = await readMetadata(form);
  const content = await readContent(form, meta.main_module, meta.body_part);
  return fromMetadata(meta, content.format, content.mainModule, content.modules);
}

/** PUT …/content: new code, same settings; the main part may be named by CF-WORKER-MAIN-MODULE-PART instead. */
export async function parseContent(request: Request): Promise<ScriptContent> {
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
    throw new ApiError(415, codes.badRequest, "script content must be multipart/form-data, with a metadata part or a CF-WORKER-MAIN-MODULE-PART header");
  }
  const form = await readForm(request);
  const meta = form.has("metadata") ? await readMetadata(form) : {};
  const content = await readContent(form, meta.main_module ?? request.headers.get("cf-worker-main-module-part") ?? undefined,
    meta.body_part ?? request.headers.get("cf-worker-body-part") ?? undefined);
  checkSize(content.modules);
  return content;
}

/**
 * The whole body as one classic script, named worker.js, as Cloudflare takes an
 * `application/javascript` upload. A multipart body sent under that type (the SDK 7
 * bug, cloudflare-typescript#2799) then fails to parse at the probe, as it does there.
 */
async function parseServiceWorker(request: Request): Promise<ParsedUpload> {
  return fromMetadata({}, "service-worker", "worker.js", [{ name: "worker.js", type: "esm", content: await request.arrayBuffer() }]);
}

export async function parseUpload(request: Request): Promise<ParsedUpload> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  // Refused before reading a body that cannot fit (source maps and multipart framing aside).
  if (declared > MAX_SCRIPT_BYTES * 2) throw tooLarge(declared, "the upload");
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) return parseMultipart(request);
  if (type.startsWith("application/javascript") || type.startsWith("text/javascript")) return parseServiceWorker(request);
  throw new ApiError(415, codes.badRequest,
    `unsupported Content-Type "${type}"; use multipart/form-data with metadata, or application/javascript`);
}
