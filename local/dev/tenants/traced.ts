/**
 * Which invocations' traces have left their process. A trace is made after the
 * invocation ends, on the same thread, so the process is held until it is gone:
 * otherwise its CPU would be charged to the next invocation there.
 */
const KEEP_MS = 30_000;

export class Traced {
  private readonly seen = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  note(ids: readonly string[]): void {
    const now = Date.now();
    for (const id of ids) {
      const wake = this.waiting.get(id);
      if (wake !== undefined) {
        this.waiting.delete(id);
        wake();
      } else this.seen.set(id, now);
    }
    for (const [id, at] of this.seen) {
      if (now - at < KEEP_MS) break;
      this.seen.delete(id);
    }
  }

  /** Resolves when the trace of `id` has left, or after `timeoutMs` (no trace comes for every call). */
  wait(id: string, timeoutMs: number): Promise<void> {
    if (this.seen.delete(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve();
      }, timeoutMs);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
