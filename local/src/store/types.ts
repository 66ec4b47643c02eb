/** What the registry stores for each uploaded script. Shared by the API, the DO and the runtime. */
export type ModuleType = "esm" | "cjs" | "text" | "data" | "json" | "wasm";

export interface ModuleRecord {
  name: string;
  type: ModuleType;
  content: ArrayBuffer;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type BindingSpec =
  | { type: "plain_text"; name: string; text: string }
  | { type: "secret_text"; name: string; text: string }
  | { type: "json"; name: string; json: JsonValue };

export interface TailConsumer {
  service: string;
  environment?: string;
  namespace?: string;
}

export type ScriptFormat = "modules" | "service-worker";

export interface ScriptUpload {
  format: ScriptFormat;
  mainModule: string;
  modules: ModuleRecord[];
  bindings: BindingSpec[];
  tags: string[];
  tailConsumers: TailConsumer[];
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  /** Settings kept and reported but not acted on locally (observability, logpush, placement, …). */
  settings: Record<string, JsonValue>;
}

export interface ScriptRecord {
  namespace: string;
  name: string;
  id: string;
  etag: string;
  createdOn: string;
  modifiedOn: string;
  format: ScriptFormat;
  mainModule: string;
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  bindings: BindingSpec[];
  tags: string[];
  tailConsumers: TailConsumer[];
  settings: Record<string, JsonValue>;
  size: number;
}

export interface NamespaceRecord {
  id: string;
  name: string;
  createdOn: string;
  modifiedOn: string;
  scriptCount: number;
}

/**
 * A listing filter as Cloudflare's `tags=a:yes,b:no`: a script matches when it
 * has every `yes` tag and none of the `no` tags.
 */
export interface TagFilter {
  yes: string[];
  no: string[];
}

export type TagChange =
  | { ok: true; tags: string[] }
  | { ok: false; reason: "namespace_not_found" | "script_not_found" | "too_many_tags" };

export interface ScriptPage {
  scripts: ScriptRecord[];
  /** Name of the last script returned when more follow; the cursor encodes it. */
  nextAfter: string | null;
}

/** One script version as the tenant host loads it (local/host): modules in base64. */
export interface ScriptCode {
  script: ScriptRecord;
  modules: { name: string; type: ModuleType; content: string }[];
}
