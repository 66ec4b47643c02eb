// Bench helper Worker: N writeDataPoint calls through the local Analytics Engine
// binding, C at a time (C = 25 is one tail invocation's worth), timed inside workerd.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "1000");
    const c = Number(url.searchParams.get("concurrency") ?? "1");
    const started = performance.now();
    for (let done = 0; done < n; done += c) {
      const batch = [];
      for (let k = 0; k < Math.min(c, n - done); k++) {
        const i = done + k;
        batch.push(env.AE.writeDataPoint({ indexes: [`tenant-${i % 100}`], blobs: [`tenant-${i % 100}`, "ns", "pro", "ok"], doubles: [1, i % 40, i % 90] }));
      }
      await Promise.all(batch);
    }
    // performance.now() advances only across I/O in workerd, which every write is.
    return Response.json({ n, concurrency: c, ms: performance.now() - started });
  },
};
