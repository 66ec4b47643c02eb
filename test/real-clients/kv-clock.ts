/**
 * The clock of the local KV store, moved by hand, so that a test sees a key expire
 * without waiting the 60 s minimum TTL. This uses the hooks Miniflare's own KV tests
 * use (`_enableControlEndpoints`, `_getInternalDurableObjectNamespace`, the
 * `enableFakeTimers`/`advanceFakeTime` control ops). They are internal to
 * Miniflare, so each is looked up at run time and a missing one fails loudly
 * rather than letting the test pass without checking anything.
 *
 * Side effect to know: once a control op reaches a Miniflare storage object, that
 * object lowers its value limit to 1 KiB ("being tested"); use it last in a file.
 */
import * as miniflare from "miniflare";
import type { Miniflare } from "miniflare";

function internal(owner: object, name: string): (...args: unknown[]) => unknown {
  const fn: unknown = Reflect.get(owner, name);
  if (typeof fn !== "function") throw new Error(`this Miniflare has no ${name}: the KV expiry test needs updating for it`);
  return (...args: unknown[]) => Reflect.apply(fn, owner, args);
}

/** Before the stack starts: storage objects only answer control ops when this was on at startup. */
export function enableKvClockControl(): void {
  internal(miniflare, "_enableControlEndpoints")();
}

interface ObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(url: string, init: { cf: unknown }): Promise<Response> };
}

function isObjectNamespace(value: unknown): value is ObjectNamespace {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "get") === "function"
    && typeof Reflect.get(value, "idFromName") === "function";
}

export interface KvClock {
  /** Stops the KV store's clock at `ms` (epoch milliseconds). */
  freeze(ms: number): Promise<void>;
  advance(ms: number): Promise<void>;
  release(): Promise<void>;
}

export async function kvClock(mf: Miniflare, namespaceId: string): Promise<KvClock> {
  const objects: unknown = await internal(mf, "_getInternalDurableObjectNamespace")("kv", "kv:ns", "KVNamespaceObject");
  if (!isObjectNamespace(objects)) throw new Error("Miniflare's KV object namespace has an unexpected shape");
  const stub = objects.get(objects.idFromName(namespaceId));
  const op = async (name: string, args: unknown[]): Promise<void> => {
    const res = await stub.fetch("http://placeholder", { cf: { miniflare: { controlOp: { name, args } } } });
    if (!res.ok) throw new Error(`KV control op ${name} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  return {
    freeze: (ms) => op("enableFakeTimers", [ms]),
    advance: (ms) => op("advanceFakeTime", [ms]),
    release: () => op("disableFakeTimers", []),
  };
}
