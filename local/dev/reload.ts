/** Debounced, serialised Miniflare reloads after rebuilds (watch mode). */
import type { Miniflare, MiniflareOptions } from "miniflare";

const RELOAD_DEBOUNCE_MS = 150;

export /** Debounced, serialised `mf.setOptions()` after rebuilds. */
function reloader(log: (line: string) => void): {
  attach(mf: Miniflare, options: () => MiniflareOptions): void;
  changed(name: string): void;
  settle(): Promise<void>;
  stop(): void;
} {
  let target: { mf: Miniflare; options: () => MiniflareOptions } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  const run = (): void => {
    timer = undefined;
    const names = [...pending].join(", ");
    pending = new Set();
    const current = target;
    if (current === null) return;
    chain = chain.then(async () => {
      const started = performance.now();
      try {
        await current.mf.setOptions(current.options());
        log(`reloaded ${names} in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        log(`reload of ${names} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  return {
    attach(mf, options) {
      target = { mf, options };
    },
    changed(name) {
      pending.add(name);
      clearTimeout(timer);
      timer = setTimeout(run, RELOAD_DEBOUNCE_MS);
    },
    settle: () => chain,
    stop() {
      clearTimeout(timer);
      target = null;
    },
  };
}
