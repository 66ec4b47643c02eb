/**
 * The audit log (core/src/audit.ts) over the PLANS binding: the same `audit:` entries
 * and record hashes in the plans KV namespace that the CLI reads and writes through the
 * KV REST API, so the dashboard, the CLI and any automation share one log.
 */
export { bindingKv, type AuditEntry } from "@tenantscope/core/audit";
