/**
 * Script code to and from the Registry DO in calls under the RPC limit (chunks.ts):
 * an upload over RPC_PART_BYTES is staged in parts and then stored in one
 * transaction; code is read back in parts and joined per module.
 */
import { RPC_PART_BYTES, chunksOf, joined, type ChunkKey, type ModuleParts } from "./chunks.ts";
import type { Registry } from "./registry.ts";
import type { ModuleRecord, ScriptUpload } from "./types.ts";

type PutResult = Awaited<ReturnType<Registry["putScript"]>>;

/** The DO methods this module calls, as seen over RPC. */
export interface TransferStub {
  putScript(namespace: string, name: string, upload: ScriptUpload): Promise<PutResult>;
  stagePart(staging: string, part: number, content: ArrayBuffer): Promise<void>;
  putStagedScript(namespace: string, name: string, upload: ScriptUpload, sizes: number[], staging: string): Promise<PutResult>;
  readModules(namespace: string, name: string, etag: string, from: ChunkKey | null): Promise<ModuleParts | null>;
}

export async function putScriptInParts(stub: TransferStub, namespace: string, name: string, upload: ScriptUpload): Promise<PutResult> {
  const sizes = upload.modules.map((m) => m.content.byteLength);
  const total = sizes.reduce((n, s) => n + s, 0);
  if (total <= RPC_PART_BYTES) return stub.putScript(namespace, name, upload);
  const staging = crypto.randomUUID();
  const all = joined(upload.modules.map((m) => new Uint8Array(m.content)));
  const parts = chunksOf(all.buffer, RPC_PART_BYTES);
  // In order, one at a time: each call holds a part in memory on both sides.
  for (const [i, part] of parts.entries()) await stub.stagePart(staging, i, part);
  const bare = { ...upload, modules: upload.modules.map((m) => ({ ...m, content: new ArrayBuffer(0) })) };
  return stub.putStagedScript(namespace, name, bare, sizes, staging);
}

/** A script version's modules, or null when it was replaced or deleted meanwhile. */
export async function getModulesInParts(stub: TransferStub, namespace: string, name: string, etag: string): Promise<ModuleRecord[] | null> {
  const byName = new Map<string, { type: ModuleRecord["type"]; parts: Uint8Array[] }>();
  let from: ChunkKey | null = null;
  do {
    const read: ModuleParts | null = await stub.readModules(namespace, name, etag, from);
    if (read === null) return null;
    for (const c of read.chunks) {
      const entry = byName.get(c.module) ?? { type: c.type, parts: [] };
      entry.parts.push(new Uint8Array(c.content));
      byName.set(c.module, entry);
    }
    from = read.next;
  } while (from !== null);
  return [...byName].map(([module, { type, parts }]) => ({ name: module, type, content: joined(parts).buffer }));
}
