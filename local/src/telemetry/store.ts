/**
 * The stand-in's Workers Logs: every log line of the tenant traces the relay delivers
 * (tail/relay.ts), kept in this isolate's memory, newest LIMIT lines. Production keeps
 * logs only for Workers uploaded with `observability` enabled and for days; the
 * stand-in keeps every tenant's lines until it restarts (local/README.md).
 */
import { isRecord } from "@tenantscope/core/result";
import { argText } from "@tenantscope/core/log-excerpt";

export interface StoredLog {
  id: string;
  timestamp: number;
  service: string;
  level: string;
  message: string;
  requestId: string;
  outcome: string;
}

export const LIMIT = 50_000;
const lines: StoredLog[] = [];
let sequence = 0;


/** Records the `logs[]` of completed tenant traces (scriptName filled in by enrich.ts). */
export function recordTraceLogs(traces: readonly Record<string, unknown>[]): void {
  for (const trace of traces) {
    const service = typeof trace.scriptName === "string" ? trace.scriptName : "";
    if (service === "" || !Array.isArray(trace.logs)) continue;
    const requestId = `local-${(++sequence).toString(36)}`;
    const outcome = typeof trace.outcome === "string" ? trace.outcome : "unknown";
    for (const entry of trace.logs) {
      if (!isRecord(entry)) continue;
      const message = Array.isArray(entry.message) ? entry.message.map(argText).join(" ") : argText(entry.message);
      lines.push({
        id: `${requestId}-${lines.length.toString(36)}`,
        timestamp: typeof entry.timestamp === "number" ? entry.timestamp : Date.now(),
        service,
        level: typeof entry.level === "string" ? entry.level : "log",
        message,
        requestId,
        outcome,
      });
    }
  }
  if (lines.length > LIMIT) lines.splice(0, lines.length - LIMIT);
}

/** Lines of `service` in [from, to], oldest first, at most `limit`. */
export function findLogs(q: { service: string | null; from: number; to: number; needle: string | null; limit: number }): { events: StoredLog[]; count: number } {
  const matching = lines.filter(
    (l) => (q.service === null || l.service === q.service) && l.timestamp >= q.from && l.timestamp <= q.to && (q.needle === null || l.message.includes(q.needle)),
  );
  return { events: matching.slice(-q.limit), count: matching.length };
}
