/**
 * Sizes that shape how module bodies are stored and moved: SQLite-backed Durable
 * Object rows hold at most 2 MB, and a Workers RPC call carries at most 32 MiB
 * (measured: "Serialized RPC arguments or return values are limited to 32MiB"), while
 * a script may be 64 MiB. So bodies are stored in 1 MiB chunks and cross RPC in
 * parts of 16 MiB (transfer.ts).
 */
import type { ModuleType } from "./types.ts";

export const CHUNK_BYTES = 1024 * 1024;
export const RPC_PART_BYTES = 16 * 1024 * 1024;

/** Where a module read continues. */
export interface ChunkKey {
  module: string;
  chunk: number;
}

export interface ModuleParts {
  chunks: { module: string; type: ModuleType; chunk: number; content: ArrayBuffer }[];
  next: ChunkKey | null;
}

/** At least one chunk, so an empty module keeps its row. */
export function chunksOf(content: ArrayBuffer, size = CHUNK_BYTES): ArrayBuffer[] {
  const bytes = new Uint8Array(content);
  const chunks: ArrayBuffer[] = [];
  for (let i = 0; i < Math.max(bytes.length, 1); i += size) chunks.push(bytes.slice(i, i + size).buffer);
  return chunks;
}

export function joined(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}
