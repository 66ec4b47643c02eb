/**
 * Parses a script upload as Cloudflare accepts it: a raw service-worker script
 * (`application/javascript`), or multipart form data with a `metadata` part and
 * one part per module (`main_module`), or a service-worker `body_part`.
 */
import { isRecord } from "@tenantscope/core/result";
import { ApiError, codes } from "./envelope.ts";
import type { BindingSpec, JsonValue, ModuleRecord, ModuleType, ScriptUpload, TailConsumer } from "../store/types.ts";
import { WRAPPER_DIR } from "../../host/src/wrapper/protocol.ts";

/** Cloudflare's paid-plan script size limit. */
export const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const BINDING_NAME_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function bad(message: string): ApiError {
  return new ApiError(400, codes.badRequest, message);
}

function moduleType(contentType: string, isMain: boolean, name: string): ModuleType {
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
  throw bad(`module "${name}" has unsupported content type "${type}"`);
}

function parseBindings(value: unknown): BindingSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad("metadata.bindings must be an array");
  const seen = new Set<string>();
  return value.map((b: unknown, i): BindingSpec => {
    if (!isRecord(b) || typeof b.name !== "string" || typeof b.type !== "string") {
      throw bad(`metadata.bindings[${i}] needs a string "name" and "type"`);
    }
    if (!BINDING_NAME_RE.test(b.name)) throw bad(`binding name "${b.name}" is not a valid identifier`);
    if (seen.has(b.name)) throw bad(`binding "${b.name}" is declared twice`);
    seen.add(b.name);
    if (b.type === "plain_text" || b.type === "secret_text") {
      if (typeof b.text !== "string") throw bad(`binding "${b.name}" (${b.type}) needs a string "text"`);
      return { type: b.type, name: b.name, text: b.text };
    }
    if (b.type === "json") {
      if (!("json" in b)) throw bad(`binding "${b.name}" (json) needs a "json" value`);
      return { type: "json", name: b.name, json: b.json as JsonValue };
    }
    throw bad(`binding type "${b.type}" (binding "${b.name}") is not supported by the local namespace; supported: plain_text, secret_text, json`);
  });
}

export function validateTags(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((t): t is string => typeof t === "string")) {
    throw bad("tags must be an array of strings");
  }
  if (value.length > 8) throw bad(`a script can have at most 8 tags, got ${value.length}`);
  for (const tag of value) {
    if (tag.length === 0 || /[,&]/.test(tag)) throw bad(`tag "${tag}" is empty or contains "," or "&"`);
  }
  return [...new Set(value)];
}

function parseTailConsumers(value: unknown): TailConsumer[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad("metadata.tail_consumers must be an array");
  return value.map((t: unknown, i) => {
    if (!isRecord(t) || typeof t.service !== "string" || t.service === "") {
      throw bad(`metadata.tail_consumers[${i}] needs a string "service"`);
    }
    const consumer: TailConsumer = { service: t.service };
    if (typeof t.environment === "string") consumer.environment = t.environment;
    if (typeof t.namespace === "string") consumer.namespace = t.namespace;
    return consumer;
  });
}

function checkSize(modules: ModuleRecord[]): void {
  const total = modules.reduce((n, m) => n + m.content.byteLength, 0);
  if (total > MAX_SCRIPT_BYTES) {
    throw new ApiError(413, codes.tooLarge, `script is ${total} bytes; the limit is ${MAX_SCRIPT_BYTES}`);
  }
}

function serviceWorker(name: string, content: ArrayBuffer, meta: Record<string, unknown> = {}): ScriptUpload {
  const modules: ModuleRecord[] = [{ name, type: "esm", content }];
  checkSize(modules);
  return {
    format: "service-worker",
    mainModule: name,
    modules,
    ...settingsOf(meta),
  };
}

/** The metadata fields every upload format shares. */
function settingsOf(meta: Record<string, unknown>): Omit<ScriptUpload, "format" | "mainModule" | "modules"> {
  return {
      bindings: parseBindings(meta.bindings),
      tags: validateTags(meta.tags),
      tailConsumers: parseTailConsumers(meta.tail_consumers),
      compatibilityDate: parseDate(meta.compatibility_date),
      compatibilityFlags: parseFlags(meta.compatibility_flags),
  };
}

function parseDate(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || !DATE_RE.test(value)) throw bad("compatibility_date must look like YYYY-MM-DD");
  return value;
}

function parseFlags(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((f): f is string => typeof f === "string")) {
    throw bad("compatibility_flags must be an array of strings");
  }
  return value;
}

async function parseMultipart(request: Request): Promise<ScriptUpload> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw bad("body is not valid multipart/form-data");
  }
  const metaPart = form.get("metadata");
  if (metaPart === null) throw bad('multipart upload needs a "metadata" part');
  const metaText = typeof metaPart === "string" ? metaPart : await metaPart.text();
  let meta: unknown;
  try {
    meta = JSON.parse(metaText);
  } catch {
    throw bad("metadata is not valid JSON");
  }
  if (!isRecord(meta)) throw bad("metadata must be a JSON object");
  const files = new Map<string, File>();
  for (const [name, part] of form.entries()) {
    if (name === "metadata") continue;
    if (typeof part === "string") throw bad(`part "${name}" must be a file part with a content type`);
    if (name.startsWith(`${WRAPPER_DIR}/`)) throw bad(`module names under "${WRAPPER_DIR}/" are reserved`);
    files.set(name, part);
  }
  if (typeof meta.body_part === "string") {
    const part = files.get(meta.body_part);
    if (part === undefined) throw bad(`body_part "${meta.body_part}" is not among the uploaded parts`);
    return serviceWorker(meta.body_part, await part.arrayBuffer(), meta);
  }
  if (typeof meta.main_module !== "string") throw bad("metadata needs main_module (ES modules) or body_part (service worker)");
  const main = meta.main_module;
  if (!files.has(main)) throw bad(`main_module "${main}" is not among the uploaded parts`);
  const modules: ModuleRecord[] = [];
  for (const [name, part] of files) {
    modules.push({ name, type: moduleType(part.type, name === main, name), content: await part.arrayBuffer() });
  }
  checkSize(modules);
  return {
    format: "modules",
    mainModule: main,
    modules,
    ...settingsOf(meta),
  };
}

export async function parseUpload(request: Request): Promise<ScriptUpload> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) return parseMultipart(request);
  if (type.startsWith("application/javascript") || type.startsWith("text/javascript")) {
    return serviceWorker("worker.js", await request.arrayBuffer());
  }
  throw new ApiError(415, codes.badRequest,
    `unsupported Content-Type "${type}"; use multipart/form-data with metadata, or application/javascript`);
}
