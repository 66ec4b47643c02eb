// Burns about `?ms=N` milliseconds of CPU (default 5, at most 10000).
//
// It counts iterations instead of watching the clock: in production Date.now() and
// performance.now() are frozen while the Worker computes, so a clock loop would
// never end. ITERATIONS_PER_MS was calibrated on the dev machine (2-core AMD EPYC,
// workerd 1.20261117 through Miniflare 5, 2026-11) where it actually runs: as a
// tenant loaded through the local stack (dispatcher → namespace → Worker Loader),
// from the slope of request latency against iterations (4.7 M to 150 M iterations,
// warm isolate): 525,000-560,000 xorshift steps per ms. Under load from other
// processes it drops (down to ~330,000 on a busy run), and a cold isolate is slower
// on its first call, so treat `ms` as approximate.
const ITERATIONS_PER_MS = 540_000;
const DEFAULT_MS = 5;
const MAX_MS = 10_000;

function burn(iterations) {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

function readMs(url) {
  const raw = url.searchParams.get("ms");
  const ms = raw === null ? DEFAULT_MS : Number(raw);
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, MAX_MS);
}

export default {
  async fetch(request) {
    const ms = readMs(new URL(request.url));
    if (ms === null) return new Response("ms must be a non-negative number\n", { status: 400 });
    const iterations = Math.round(ms * ITERATIONS_PER_MS);
    // The checksum goes into the answer so the loop cannot be optimised away.
    const checksum = burn(iterations);
    return Response.json({ requestedMs: ms, iterations, checksum });
  },
};
