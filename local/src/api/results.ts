/** What the namespace API answers for namespaces and scripts, in the shapes of the SDK's types. */
import { DEFAULT_COMPATIBILITY_DATE } from "../../host/src/run-protocol.ts";
import type { BindingSpec, NamespaceRecord, ScriptRecord } from "../store/types.ts";
import { versionIdOf } from "../store/version.ts";

export function namespaceResult(ns: NamespaceRecord) {
  return {
    namespace_id: ns.id,
    namespace_name: ns.name,
    created_on: ns.createdOn,
    created_by: "local",
    modified_on: ns.modifiedOn,
    modified_by: "local",
    script_count: ns.scriptCount,
    trusted_workers: false,
  };
}

/** A binding as the API shows it: never a secret's value. */
export function bindingResult(b: BindingSpec) {
  if (b.type === "secret_text") return { name: b.name, type: b.type };
  if (b.type === "json") return { name: b.name, type: b.type, json: b.json };
  return { name: b.name, type: b.type, text: b.text };
}

/** Script metadata; binding values (secrets included) are never returned. */
export function scriptResult(s: ScriptRecord) {
  return {
    id: s.name,
    etag: s.etag,
    created_on: s.createdOn,
    modified_on: s.modifiedOn,
    handlers: ["fetch"],
    has_modules: s.format === "modules",
    has_assets: false,
    main_module: s.mainModule,
    // The date the isolate runs with: unset means the stand-in's default, not "none".
    compatibility_date: s.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE,
    compatibility_flags: s.compatibilityFlags,
    tags: s.tags,
    tail_consumers: s.tailConsumers.length === 0 ? null : s.tailConsumers,
    bindings: s.bindings.map((b) => ({ name: b.name, type: b.type })),
    usage_model: "standard",
    logpush: s.settings.logpush === true,
    size: s.size,
  };
}

/** An upload's answer: what wrangler prints ("Worker Startup Time", "Current Version ID") comes from here. */
export function uploadResult(s: ScriptRecord, startupMs: number) {
  return { ...scriptResult(s), startup_time_ms: startupMs, deployment_id: versionIdOf(s.etag) };
}

/** The script's settings (GET/PATCH …/settings). */
export function settingsResult(s: ScriptRecord) {
  return {
    bindings: s.bindings.map(bindingResult),
    compatibility_date: s.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE,
    compatibility_flags: s.compatibilityFlags,
    tags: s.tags,
    tail_consumers: s.tailConsumers,
    usage_model: "standard",
    logpush: false,
    observability: { enabled: false },
    placement: {},
    limits: {},
    ...s.settings,
  };
}
