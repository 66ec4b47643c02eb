/**
 * A script version's etag: the SHA-256 of everything that makes the version (code,
 * bindings, settings). The API computes it before storing, so an upload's probe
 * loads the very isolate its invocations will use.
 */
import type { ScriptUpload } from "./types.ts";

export async function etagOf(upload: ScriptUpload): Promise<string> {
  const meta = new TextEncoder().encode(JSON.stringify({
    ...upload,
    modules: upload.modules.map((m) => ({ name: m.name, type: m.type, size: m.content.byteLength })),
  }));
  const parts = [meta, ...upload.modules.map((m) => new Uint8Array(m.content))];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { all.set(p, offset); offset += p.length; }
  const hash = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
