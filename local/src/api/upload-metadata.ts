/**
 * The metadata of a script upload (and of a settings PATCH), checked as Cloudflare
 * checks it: bindings and their sizes, tags, tail consumers, the compatibility date
 * and flags, `keep_bindings`, and the settings the stand-in keeps without acting on.
 */
import { isRecord } from "@tenantscope/core/result";
import type { BindingSpec, JsonValue, TailConsumer } from "../store/types.ts";
import { ApiError, codes } from "./envelope.ts";

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const BINDING_NAME_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Cloudflare's limits on environment variables (paid plan): count and size of each. */
export const MAX_VARS = 128;
export const MAX_VAR_BYTES = 5 * 1024;
/** Settings Cloudflare stores with a version that the stand-in keeps and reports, but does not act on. */
export const KEPT_SETTINGS = ["observability", "logpush", "placement", "limits", "usage_model", "streaming_tail_consumers"] as const;

/** A binding as uploaded: a value, or `inherit` (take it from the previous version). */
export type BindingInput = BindingSpec | { type: "inherit"; name: string; oldName: string };

export function bad(message: string): ApiError {
  return new ApiError(400, codes.badRequest, message);
}

/** A part's text as the JSON object it must be (metadata, settings), or the 400 that names it. */
export function jsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(`${what} is not valid JSON`);
  }
  if (!isRecord(value)) throw bad(`${what} must be a JSON object`);
  return value;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function checkSize(name: string, text: string): void {
  const bytes = byteLength(text);
  if (bytes > MAX_VAR_BYTES) throw bad(`binding "${name}" is ${bytes} bytes; a variable or secret may have at most ${MAX_VAR_BYTES}`);
}

export function parseBindings(value: unknown): BindingInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad("metadata.bindings must be an array");
  if (value.length > MAX_VARS) throw bad(`a script may have at most ${MAX_VARS} bindings, got ${value.length}`);
  const seen = new Set<string>();
  return value.map((b: unknown, i): BindingInput => {
    if (!isRecord(b) || typeof b.name !== "string" || typeof b.type !== "string") {
      throw bad(`metadata.bindings[${i}] needs a string "name" and "type"`);
    }
    if (!BINDING_NAME_RE.test(b.name)) throw bad(`binding name "${b.name}" is not a valid identifier`);
    if (seen.has(b.name)) throw bad(`binding "${b.name}" is declared twice`);
    seen.add(b.name);
    if (b.type === "plain_text" || b.type === "secret_text") {
      if (typeof b.text !== "string") throw bad(`binding "${b.name}" (${b.type}) needs a string "text"`);
      checkSize(b.name, b.text);
      return { type: b.type, name: b.name, text: b.text };
    }
    if (b.type === "json") {
      if (!("json" in b)) throw bad(`binding "${b.name}" (json) needs a "json" value`);
      checkSize(b.name, JSON.stringify(b.json));
      return { type: "json", name: b.name, json: b.json as JsonValue };
    }
    if (b.type === "inherit") {
      const oldName = b.old_name === undefined ? b.name : b.old_name;
      if (typeof oldName !== "string") throw bad(`binding "${b.name}" (inherit): old_name must be a string`);
      return { type: "inherit", name: b.name, oldName };
    }
    throw bad(`binding type "${b.type}" (binding "${b.name}") is not supported by the local namespace; supported: plain_text, secret_text, json, inherit`);
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

export function parseTailConsumers(value: unknown): TailConsumer[] {
  if (value === undefined || value === null) return [];
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

/** Cloudflare refuses a date after today (UTC) with this text (workers-sdk#5966). */
export function parseDate(value: unknown, today = new Date().toISOString().slice(0, 10)): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !DATE_RE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw bad("compatibility_date must be a date like YYYY-MM-DD");
  }
  if (value > today) throw bad(`Can't set compatibility date in the future: ${value}`);
  return value;
}

export function parseFlags(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((f): f is string => typeof f === "string")) {
    throw bad("compatibility_flags must be an array of strings");
  }
  return value;
}

/** `keep_bindings`: binding types to carry over from the previous version when not re-declared. */
export function parseKeepBindings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((t): t is string => typeof t === "string")) {
    throw bad("keep_bindings must be an array of binding types");
  }
  return value;
}

export function keptSettings(meta: Record<string, unknown>): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const key of KEPT_SETTINGS) {
    if (meta[key] !== undefined) kept[key] = meta[key] as JsonValue;
  }
  return kept;
}
