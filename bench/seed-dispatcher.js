// The seed's ten-line dispatcher (../shared/seeds/001_*.txt, from Cloudflare's
// "Create a dynamic dispatch Worker" guide): subdomain → get(name) → fetch, with no
// plan lookup. The benchmark runs it next to ours in the same Miniflare instance,
// with `dispatcher` bound to the same local namespace. Unchanged apart from this
// comment and formatting.
export default {
  async fetch(request, env) {
    try {
      // parse the URL, read the subdomain
      let workerName = new URL(request.url).host.split('.')[0];
      let userWorker = env.dispatcher.get(workerName);
      return await userWorker.fetch(request);
    } catch (e) {
      if (e.message.startsWith('Worker not found')) {
        // we tried to get a worker that doesn't exist in our dispatch namespace
        return new Response('', { status: 404 });
      }

      // this could be any other exception from `fetch()` *or* an exception
      // thrown by the called worker (e.g. if the dispatched worker has
      // `throw MyException()`, you could check for that here).
      return new Response(e.message, { status: 500 });
    }
  },
};
