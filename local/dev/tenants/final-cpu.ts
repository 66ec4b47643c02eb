/**
 * Final CPU figures of invocations whose bodies streamed past the buffer: the
 * headers left before the end, so the namespace asks for the figure once the
 * body is done. Entries that nobody asks for expire.
 */
import type { FinalCpu as Final } from "../../host/src/run-protocol.ts";

const KEEP_MS = 60_000;
const WAIT_MS = 30_000;

export class FinalCpu {
  private readonly figures = new Map<string, { final: Final; at: number }>();
  private readonly waiters = new Map<string, ((final: Final) => void)[]>();

  set(id: string, final: Final): void {
    const waiting = this.waiters.get(id);
    if (waiting !== undefined) {
      this.waiters.delete(id);
      for (const wake of waiting) wake(final);
      return;
    }
    const now = Date.now();
    for (const [key, entry] of this.figures) {
      if (now - entry.at < KEEP_MS) break;
      this.figures.delete(key);
    }
    this.figures.set(id, { final, at: now });
  }

  /** The figure, waiting for it a while if the body is still streaming; cpuMs null if it never came. */
  take(id: string): Promise<Final> {
    const entry = this.figures.get(id);
    if (entry !== undefined) {
      this.figures.delete(id);
      return Promise.resolve(entry.final);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(id) ?? [];
        const rest = list.filter((w) => w !== wake);
        if (rest.length === 0) this.waiters.delete(id);
        else this.waiters.set(id, rest);
        resolve({ cpuMs: null, exceeded: false });
      }, WAIT_MS);
      const wake = (final: Final): void => {
        clearTimeout(timer);
        resolve(final);
      };
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), wake]);
    });
  }
}
