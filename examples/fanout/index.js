// Makes `?n=N` sequential subrequests (default 5, at most 10000) to env.TARGET_URL
// and reports how many answered 2xx. Past the plan's `subRequests` limit the
// (limit+1)-th fetch throws "Too many subrequests by single Worker invocation.", and
// the error is left uncaught on purpose so the dispatcher maps it to a 503.
const DEFAULT_TARGET = "http://127.0.0.1:8789/_local/echo";
const DEFAULT_N = 5;
const MAX_N = 10_000;

export default {
  async fetch(request, env) {
    const raw = new URL(request.url).searchParams.get("n");
    const n = raw === null ? DEFAULT_N : Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > MAX_N) {
      return new Response(`n must be an integer from 0 to ${MAX_N}\n`, { status: 400 });
    }
    const target = typeof env.TARGET_URL === "string" ? env.TARGET_URL : DEFAULT_TARGET;
    let succeeded = 0;
    let failed = 0;
    for (let i = 0; i < n; i++) {
      const res = await fetch(target);
      await res.arrayBuffer();
      if (res.ok) succeeded++;
      else failed++;
    }
    return Response.json({ requested: n, succeeded, failed, target });
  },
};
