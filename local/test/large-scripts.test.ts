/**
 * Scripts up to Cloudflare's current size limit (64 MiB uncompressed, every plan)
 * through the registry and the runtime's code route: a Durable Object row holds at most
 * 2 MB and one RPC call at most 32 MiB, so the code is stored in chunks and moves in
 * parts (src/store/chunks.ts, transfer.ts). The upload route's own size check is
 * upload.ts's (MAX_SCRIPT_BYTES); these tests go beneath it, to the registry.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { registryStub } from "../src/store/client.ts";
import type { TransferStub } from "../src/store/transfer.ts";
import type { ScriptUpload } from "../src/store/types.ts";
import { TOKEN, createNamespace, uniqueName } from "./helpers.ts";

const MiB = 1024 * 1024;

/** A module of `size` bytes that is valid JavaScript, its bytes varying so chunk order matters. */
function bigModule(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  const head = new TextEncoder().encode(`export default { fetch() { return new Response("big ${seed}"); } };\n/*`);
  bytes.set(head);
  for (let i = head.length; i < size - 2; i++) bytes[i] = 0x61 + ((i * 7 + seed) % 26);
  bytes.set(new TextEncoder().encode("*/"), size - 2);
  return bytes;
}

async function sha256(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function upload(modules: ScriptUpload["modules"]): ScriptUpload {
  return { format: "modules", mainModule: "index.js", modules, bindings: [], tags: [], tailConsumers: [], compatibilityDate: "2026-11-01", compatibilityFlags: [], settings: {} };
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

describe("scripts at Cloudflare's size limit", () => {
  it("a 60 MiB module and a second one are stored and served byte for byte", async () => {
    const ns = uniqueName("big");
    await createNamespace(ns);
    const main = bigModule(60 * MiB, 1);
    const extra = bigModule(3 * MiB + 17, 2);
    const saved = await registryStub(env).putScript(ns, "big", upload([
      { name: "index.js", type: "esm", content: main.buffer },
      { name: "lib.js", type: "esm", content: extra.buffer },
    ]));
    if (!saved.ok) throw new Error(`putScript: ${saved.reason}`);
    expect(saved.script.size).toBe(main.length + extra.length);

    const res = await exports.default.fetch(new Request(`http://api.local/_local/runtime/code/${ns}/big/${saved.script.etag}`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(res.status).toBe(200);
    const code = (await res.json()) as { modules: { name: string; content: string }[] };
    expect(code.modules.map((m) => m.name)).toEqual(["index.js", "lib.js"]);
    const [first, second] = code.modules.map((m) => decode(m.content));
    expect(first?.length).toBe(main.length);
    expect(await sha256(first ?? new Uint8Array())).toBe(await sha256(main));
    expect(await sha256(second ?? new Uint8Array())).toBe(await sha256(extra));
  }, 120_000);

  it("a replace between two parts of a read ends the read: no mix of two versions", async () => {
    const ns = uniqueName("big");
    await createNamespace(ns);
    const registry = registryStub(env);
    const first = await registry.putScript(ns, "app", upload([{ name: "index.js", type: "esm", content: bigModule(20 * MiB, 3).buffer }]));
    if (!first.ok) throw new Error("putScript");
    const stub = env.REGISTRY.get(env.REGISTRY.idFromName("registry")) as unknown as TransferStub;
    const part = await stub.readModules(ns, "app", first.script.etag, null);
    expect(part?.chunks.length).toBe(16);
    expect(part?.next).not.toBeNull();
    await registry.putScript(ns, "app", upload([{ name: "index.js", type: "esm", content: bigModule(20 * MiB, 4).buffer }]));
    expect(await stub.readModules(ns, "app", first.script.etag, part?.next ?? null)).toBeNull();
    expect(await registry.getModules(ns, "app", first.script.etag)).toBeNull();
  }, 120_000);
});
