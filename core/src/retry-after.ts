/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP date
 * (a date in the past means "now"). null when absent or unreadable, so each caller
 * picks its own fallback (the CLI backs off, the dashboard waits a second).
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  const value = header?.trim() ?? "";
  if (value === "") return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
