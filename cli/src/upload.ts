/**
 * Script uploads as Cloudflare takes them: multipart form data with a `metadata`
 * part (main_module or body_part, bindings, tags, tail_consumers) and one part per
 * module. Also finds the tenants in a directory for bulk uploads.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { isTenantName } from "@tenantscope/core/names";
import { CliError, UsageError } from "./errors.ts";

export const COMPATIBILITY_DATE = "2026-11-01";
const MAX_TAGS = 8;
const MAIN_NAMES = ["index.js", "index.mjs", "worker.js", "worker.mjs"];
const SCRIPT_EXT = new Set([".js", ".mjs"]);
const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export interface UploadSettings {
  tags: string[];
  bindings: { type: "plain_text" | "secret_text"; name: string; text: string }[];
  tailConsumers: { service: string }[];
  compatibilityDate: string;
  /**
   * Workers Logs for this Worker (metadata `observability`), so the dashboard can read its
   * full logs through the Workers Observability telemetry API; null leaves it unset.
   */
  observability?: { enabled: true; head_sampling_rate: number } | null;
}

/** `--logs-sampling` as Cloudflare takes `head_sampling_rate`: a fraction from 0 to 1. */
export function parseSamplingRate(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--logs-sampling must be a number from 0 to 1, got "${raw}"`);
  return n;
}

export interface ScriptSource {
  /** Module name → content and content type; the first is the main module. */
  modules: { name: string; content: Uint8Array<ArrayBuffer>; type: string }[];
  /** Service-worker syntax (addEventListener, no exports): sent as body_part. */
  serviceWorker: boolean;
}

export interface TenantDir {
  name: string;
  path: string;
}

export function validateTags(tags: string[]): string[] {
  const unique = [...new Set(tags)];
  if (unique.length > MAX_TAGS) throw new UsageError(`a script can have at most ${MAX_TAGS} tags, got ${unique.length}`);
  for (const tag of unique) {
    if (tag === "" || /[,&]/.test(tag)) throw new UsageError(`tag "${tag}" is empty or contains "," or "&"`);
  }
  return unique;
}

/** `KEY=VALUE` pairs from repeated flags. */
export function parseBindings(pairs: string[], type: "plain_text" | "secret_text"): UploadSettings["bindings"] {
  return pairs.map((pair) => {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? "" : pair.slice(0, eq);
    if (!BINDING_NAME.test(name)) throw new UsageError(`binding "${pair}" must be KEY=VALUE with KEY an identifier`);
    return { type, name, text: pair.slice(eq + 1) };
  });
}

/** Cloudflare's module types: ES modules are `+module`; plain application/javascript is CommonJS. */
function contentType(name: string): string {
  const ext = extname(name).toLowerCase();
  if (ext === ".js" || ext === ".mjs") return "application/javascript+module";
  if (ext === ".cjs") return "application/javascript";
  if (ext === ".wasm") return "application/wasm";
  if (ext === ".json") return "application/json";
  if (ext === ".txt" || ext === ".html" || ext === ".md") return "text/plain";
  return "application/octet-stream";
}

function looksLikeServiceWorker(source: string): boolean {
  return /addEventListener\s*\(\s*["']fetch["']/.test(source) && !/^\s*export\s/m.test(source);
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    throw new CliError(`${path}: no such file or directory`);
  }
}

async function mainIn(dir: string): Promise<string | null> {
  const names = await readdir(dir);
  return MAIN_NAMES.find((m) => names.includes(m)) ?? null;
}

/** A file (one module) or a directory holding one Worker (index.js plus sibling modules). */
export async function readScript(path: string): Promise<ScriptSource> {
  if (!(await isDir(path))) {
    const content = new Uint8Array(await readFile(path));
    const name = basename(path);
    const serviceWorker = looksLikeServiceWorker(new TextDecoder().decode(content));
    return { modules: [{ name, content, type: serviceWorker ? "application/javascript" : contentType(name) }], serviceWorker };
  }
  const main = await mainIn(path);
  if (main === null) throw new CliError(`${path} has no ${MAIN_NAMES.join(" / ")}`);
  const entries = await readdir(path, { withFileTypes: true });
  const others = entries.filter((e) => e.isFile() && e.name !== main && !e.name.startsWith(".")).map((e) => e.name).sort();
  const mainContent = new Uint8Array(await readFile(join(path, main)));
  const serviceWorker = others.length === 0 && looksLikeServiceWorker(new TextDecoder().decode(mainContent));
  const modules = [{ name: main, content: mainContent, type: serviceWorker ? "application/javascript" : contentType(main) }];
  for (const name of others) modules.push({ name, content: new Uint8Array(await readFile(join(path, name))), type: contentType(name) });
  return { modules, serviceWorker };
}

/**
 * The tenants in a directory: each subdirectory with an index.js (named after the
 * subdirectory) and each top-level .js/.mjs file (named after the file). Null when
 * `path` is a single Worker (a file, or a directory with its own index.js).
 */
export async function findTenants(path: string): Promise<TenantDir[] | null> {
  if (!(await isDir(path)) || (await mainIn(path)) !== null) return null;
  const tenants: TenantDir[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = join(path, entry.name);
    if (entry.isDirectory() && (await mainIn(full)) !== null) tenants.push({ name: entry.name, path: full });
    else if (entry.isFile() && SCRIPT_EXT.has(extname(entry.name))) tenants.push({ name: basename(entry.name, extname(entry.name)), path: full });
  }
  if (tenants.length === 0) throw new CliError(`${path} holds no Worker: expected index.js, or subdirectories with index.js, or .js files`);
  const bad = tenants.filter((t) => !isTenantName(t.name)).map((t) => t.name);
  if (bad.length > 0) throw new CliError(`not valid tenant names (lower-case letters, digits, dashes): ${bad.join(", ")}`);
  return tenants.sort((a, b) => a.name.localeCompare(b.name));
}

export function uploadForm(source: ScriptSource, settings: UploadSettings): FormData {
  const main = source.modules[0];
  if (main === undefined) throw new CliError("nothing to upload");
  const metadata: Record<string, unknown> = {
    ...(source.serviceWorker ? { body_part: main.name } : { main_module: main.name }),
    compatibility_date: settings.compatibilityDate,
    bindings: settings.bindings,
    tags: settings.tags,
    tail_consumers: settings.tailConsumers,
    ...(settings.observability === undefined || settings.observability === null ? {} : { observability: settings.observability }),
  };
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
  for (const m of source.modules) form.append(m.name, new File([m.content], m.name, { type: m.type }));
  return form;
}
