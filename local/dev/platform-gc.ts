/**
 * Has the platform's isolates collect their garbage every few seconds, over workerd's
 * inspector. Each request through the platform (dispatcher, the namespace stand-in,
 * the trace relay, Tail Worker, local Analytics Engine) leaves request and response
 * wrappers that hold native memory V8 does not count, so its major GC comes late:
 * measured with tcmalloc's own figures at 20 req/s of the demo mix, the platform's
 * live native memory rose about 35 MB a minute between V8's collections, and the
 * allocator keeps the pages of each peak (workerd runs no thread to return them), so
 * RSS climbed with every higher peak (298 → 373 MB in 10 minutes). Collected every
 * 10 s, live memory stays at 40-45 MB and RSS flat (bench/README.md, memory). The
 * same garbage on Cloudflare is bounded by each isolate's 128 MB limit and by
 * eviction, which workerd in OSS does not have (workerd issues 6894, 6824).
 */
import { collectedHeaps, type HeapFigure } from "./heaps.ts";

export const PLATFORM_GC_EVERY_MS = 10_000;

export interface PlatformCollector {
  /** A collection now, after any round in progress (two sessions on one isolate wait on each other); the heaps of the isolates that ran it. */
  collectNow(): Promise<HeapFigure[]>;
  /** Rounds in which at least one isolate collected. */
  readonly rounds: number;
  stop(): Promise<void>;
}

export function startPlatformCollector(inspectorPort: number, everyMs: number, log: (line: string) => void): PlatformCollector {
  let chain: Promise<unknown> = Promise.resolve();
  let rounds = 0;
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const collectNow = (): Promise<HeapFigure[]> => {
    const round = chain.then(async () => {
      const figures = await collectedHeaps(inspectorPort);
      if (figures.length > 0) rounds += 1;
      return figures;
    });
    chain = round.catch(() => {});
    return round;
  };
  const tick = (): void => {
    collectNow().then(
      () => {
        if (failing) log("the platform's garbage collection works again");
        failing = false;
      },
      (error: unknown) => {
        // Once per outage (a reload restarts workerd, with its inspector on the same port).
        if (!failing) log(`collecting the platform's garbage failed (tried again every ${everyMs / 1000} s): ${String(error)}`);
        failing = true;
      },
    ).finally(() => {
      if (!stopped) schedule();
    });
  };
  const schedule = (): void => {
    timer = setTimeout(tick, everyMs);
    // The runner exits when the stack stops, not when a timer says so.
    timer.unref();
  };
  schedule();
  return {
    collectNow,
    get rounds() {
      return rounds;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}
