// Bench helper Worker: runs one generating INSERT inside a local AE dataset's
// Durable Object (its `query` RPC), so that P4 can store 10 M points in minutes
// instead of sending them over HTTP. Local tooling only: the SQL comes from the
// benchmark (bench/p4-dashboard.ts), never from a user.
export default {
  async fetch(request, env) {
    const { dataset, sql, params } = await request.json();
    const store = env.AE_STORE.get(env.AE_STORE.idFromName(dataset));
    const started = Date.now();
    await store.query(sql, params);
    return Response.json({ ms: Date.now() - started });
  },
};
