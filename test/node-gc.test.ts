/**
 * The runner's own process collects its garbage on a timer (local/dev/node-gc.ts):
 * under steady traffic V8 let it pile up between major GCs and kept the pages.
 */
import { describe, expect, it } from "vitest";
import { startNodeCollector } from "../local/dev/node-gc.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("the runner's garbage collection", () => {
  it("collects garbage this process left in its heap, on its timer", async () => {
    // Old-space garbage: survives the young generation, then dropped.
    let keep: number[][] | null = Array.from({ length: 400 }, () => Array.from({ length: 20_000 }, (_, i) => i));
    await sleep(50);
    const before = process.memoryUsage().heapUsed;
    expect(keep.length).toBe(400);
    keep = null;
    const collector = startNodeCollector(100);
    expect(collector).not.toBeNull();
    try {
      await expect.poll(() => collector?.rounds ?? 0, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      const after = process.memoryUsage().heapUsed;
      // 400 arrays of 20,000 small integers: about 60 MB; most of it is gone.
      expect(before - after).toBeGreaterThan(30 * 2 ** 20);
      expect(collector?.totalMs ?? 0).toBeGreaterThan(0);
    } finally {
      collector?.stop();
    }
    const rounds = collector?.rounds ?? 0;
    await sleep(300);
    expect(collector?.rounds).toBe(rounds);
  });
});
