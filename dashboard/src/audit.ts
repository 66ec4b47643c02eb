/**
 * The audit log (core/src/audit.ts) over the PLANS binding: the same `audit:` entries
 * and record hashes in the plans KV namespace that the CLI reads and writes through the
 * KV REST API, so the dashboard, the CLI and any automation share one log.
 */
import type { AuditKv } from "@tenantscope/core/audit";

export type { AuditEntry } from "@tenantscope/core/audit";

export function bindingKv(kv: Env["PLANS"]): AuditKv {
  return {
    async getWithMetadata(key) {
      const { value, metadata } = await kv.getWithMetadata(key);
      return { value, metadata };
    },
    get: (key) => kv.get(key),
    put: (key, value, metadata) => kv.put(key, value, { metadata }),
    delete: (key) => kv.delete(key),
    async list(prefix, limit) {
      const page = await kv.list({ prefix, limit });
      return page.keys.map((k) => ({ name: k.name, metadata: k.metadata }));
    },
  };
}
