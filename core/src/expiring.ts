/**
 * A map for per-invocation state that may never be claimed (a client that drops a
 * body, a trace nobody consumes): entries older than `retainMs` are swept, every
 * `sweepEvery` additions, so the map cannot grow without bound.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly retainMs: number;
  private readonly sweepEvery: number;
  private added = 0;

  constructor(retainMs: number, sweepEvery = 256) {
    this.retainMs = retainMs;
    this.sweepEvery = sweepEvery;
  }

  set(key: string, value: V, now: number): void {
    if (++this.added % this.sweepEvery === 0) {
      for (const [k, e] of this.entries) if (now - e.at > this.retainMs) this.entries.delete(k);
    }
    this.entries.set(key, { value, at: now });
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
