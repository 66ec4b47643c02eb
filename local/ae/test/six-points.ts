/** Six points whose answers the SQL tests compute by hand (ae-sql-functions, ae-sql-from). */
import type { ImportedPoint } from "./helpers.ts";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Two days ago, at midnight UTC: inside AE's retention, never in the future. */
export const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;

// tenant, outcome, method; doubles: cpu ms. In time order.
export const POINTS: ImportedPoint[] = [
  { at: T0 + 10_000, si: 1, tenant: "alpha", blobs: ["alpha", "ok", "GET"], doubles: [5] },
  { at: T0 + 50_000, si: 1, tenant: "alpha", blobs: ["alpha", "exception", "POST"], doubles: [15] },
  { at: T0 + 90_000, si: 2, tenant: "alpha", blobs: ["alpha", "ok", "GET"], doubles: [10] },
  { at: T0 + HOUR, si: 4, tenant: "beta", blobs: ["beta", "exceededCpu", "GET"], doubles: [60] },
  { at: T0 + HOUR + 1_800_000, si: 1, tenant: "beta", blobs: ["beta", "ok", "get"], doubles: [2] },
  { at: T0 + DAY, si: 10, tenant: "Gamma", blobs: ["Gamma", "ok", "GET"], doubles: [1] },
];
