/**
 * Has the runner's own Node process (runner, supervisor, builder) collect its garbage
 * once a minute. Its JS heap after a full GC stays at about 61 MB at 20 req/s of the
 * demo mix, but under steady traffic V8 lets garbage pile up between its major GCs and
 * keeps the pages (heap as sized 73 → 197 MB, RSS 295 → 359 MB in 30 minutes); the
 * memory reducer that would give them back waits for the allocation rate to drop,
 * which a busy dev stack never does. Node only exposes `gc` behind a flag, which
 * `node:v8` can set at run time for contexts made after it.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const NODE_GC_EVERY_MS = 60_000;

export interface NodeCollector {
  readonly rounds: number;
  /** Milliseconds of this process's thread the collections took, in all. */
  readonly totalMs: number;
  stop(): void;
}

function collector(): (() => void) | null {
  const own: unknown = Reflect.get(globalThis, "gc");
  if (typeof own === "function") return () => void Reflect.apply(own, globalThis, []);
  setFlagsFromString("--expose-gc");
  const made: unknown = runInNewContext("gc");
  return typeof made === "function" ? () => void Reflect.apply(made, undefined, []) : null;
}

/** A full GC of this process every `everyMs`; null where V8 will not expose one. */
export function startNodeCollector(everyMs: number): NodeCollector | null {
  const gc = collector();
  if (gc === null) return null;
  let rounds = 0;
  let totalMs = 0;
  const timer = setInterval(() => {
    const started = performance.now();
    gc();
    totalMs += performance.now() - started;
    rounds += 1;
  }, everyMs);
  // The runner exits when the stack stops, not when a timer says so.
  timer.unref();
  return {
    get rounds() {
      return rounds;
    },
    get totalMs() {
      return totalMs;
    },
    stop: () => clearInterval(timer),
  };
}
