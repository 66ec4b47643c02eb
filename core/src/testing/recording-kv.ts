/**
 * For tests inside workerd: a test Worker's real local KV (its PLANS binding, from
 * the vitest plugin), seen through a Proxy that records reads and can fail. It is
 * typed as the binding itself, so the code under test gets a `KVNamespace`, not a
 * shape written for the test. Shared by the dispatcher's and the tail's tests.
 */
let instances = 0;

export class RecordingKV {
  /** Every key read through `binding`, in order, as the code asked for it. */
  readonly reads: string[] = [];
  /** When set, every read rejects the way a failing KV does. */
  failing = false;
  readonly binding: KVNamespace;
  /** Tests in one file share one KV, so each instance keeps its keys under its own prefix. */
  readonly #prefix = `recording-kv-${++instances}/`;
  readonly #inner: KVNamespace;

  /** `failure` is the message a failing read rejects with (each caller's tests expect their own). */
  constructor(inner: KVNamespace, failure = "KV unavailable") {
    this.#inner = inner;
    this.binding = new Proxy(inner, {
      get: (target, property) => {
        if (property === "get") {
          // Typed as the text read (what the plan resolver does); the second argument passes through as given.
          return (key: string, options?: Partial<KVNamespaceGetOptions<undefined>>): Promise<string | null> => {
            this.reads.push(key);
            if (this.failing) return Promise.reject(new Error(failure));
            return target.get(this.#prefix + key, options);
          };
        }
        if (property === "put" || property === "delete" || property === "list" || property === "getWithMetadata") {
          // Only `get` is recorded; other calls would bypass the prefix, so they are refused.
          throw new Error(`RecordingKV does not forward ${property}()`);
        }
        // Native binding methods need the real object as `this`.
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** Writes straight to the underlying KV (not recorded); objects are stored as JSON. */
  async put(key: string, value: unknown): Promise<void> {
    await this.#inner.put(this.#prefix + key, typeof value === "string" ? value : JSON.stringify(value));
  }
}
