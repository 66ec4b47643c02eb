// The fast tenant: answers a line of text and does nothing else.
export default {
  async fetch(request) {
    const plan = request.headers.get("x-tenantscope-plan");
    const suffix = plan === null ? "" : ` (plan: ${plan})`;
    return new Response(`Hello from the hello tenant${suffix}!\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
