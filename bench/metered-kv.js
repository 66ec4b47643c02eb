// Bench helper Worker: stands in for the dispatcher's PLANS in P1 (bench/p1.ts). Its
// MeteredKV entrypoint reads the shared plans KV and counts each read; its fetch
// answers the count as `{ "kvReads": n }`. Local tooling only: it replaces the
// KV binding through a service binding, so production code is unchanged.
import { WorkerEntrypoint } from "cloudflare:workers";

let kvReads = 0;

export class MeteredKV extends WorkerEntrypoint {
  async get(key) {
    kvReads += 1;
    return this.env.PLANS.get(key);
  }
}

export default {
  fetch() {
    return Response.json({ kvReads });
  },
};
