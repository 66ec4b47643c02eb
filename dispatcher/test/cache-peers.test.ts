/**
 * The isolate's plan cache shares reads between concurrent requests without sharing
 * promises: in workerd a request awaiting a promise that another request's I/O settles
 * hangs once that request is cancelled, and otherwise runs on in the wrong context.
 */
import { describe, expect, it } from "vitest";
import { TtlCache } from "@tenantscope/core/plan-resolver";

describe("TtlCache between concurrent requests", () => {
  it("concurrent misses load once, and every caller gets the value", async () => {
    const cache = new TtlCache();
    let loads = 0;
    const load = async (): Promise<{ value: string; ttlMs: number }> => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return { value: "pro", ttlMs: 30_000 };
    };
    const got = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad("tenant:acme", 0, load)));
    expect(got).toEqual(Array(10).fill("pro"));
    expect(loads).toBe(1);
  });

  it("a read its request abandoned (cancelled mid-read) does not hold the next request: it reads itself", async () => {
    const cache = new TtlCache();
    // The first caller's read never settles, as when workerd cancels its request during the KV get.
    void cache.getOrLoad("tenant:acme", 0, () => new Promise<never>(() => {}));
    const started = Date.now();
    const value = await cache.getOrLoad("tenant:acme", 0, async () => ({ value: "enterprise", ttlMs: 30_000 }));
    expect(value).toBe("enterprise");
    // It waited at most the peer window (1 s), not forever; generous for a busy machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    // And filled the cache for the requests after it.
    expect(await cache.getOrLoad("tenant:acme", 1, () => Promise.reject(new Error("not read again")))).toBe("enterprise");
  });

  it("a failed read lets the waiting request read for itself", async () => {
    const cache = new TtlCache();
    const failing = cache.getOrLoad("k", 0, async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error("KV down");
    });
    const waiting = cache.getOrLoad("k", 0, async () => ({ value: 7, ttlMs: 1000 }));
    await expect(failing).rejects.toThrow("KV down");
    expect(await waiting).toBe(7);
  });
});
