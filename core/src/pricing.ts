/**
 * What Workers for Platforms costs the platform: Cloudflare's published rates, dated,
 * kept as editable config (the dashboard's `WFP_PRICES` var, the CLI's
 * `TENANTSCOPE_WFP_PRICES`), so a changed price list or a negotiated contract is a config
 * change, not a release.
 */
import { fail, isRecord, ok, type Result } from "./result.ts";

export interface PlatformPrices {
  /** The price page's own "last updated" date (YYYY-MM-DD). */
  asOf: string;
  /** When someone last compared these figures with the page. */
  checked: string;
  source: string;
  currency: "USD";
  subscriptionMonthly: number;
  requests: { includedPerMonth: number; perMillion: number };
  cpuMs: { includedPerMonth: number; perMillion: number };
  scripts: { included: number; perScript: number };
}

/**
 * Workers for Platforms Paid, from Cloudflare's pricing page (last updated 2026-04-21,
 * checked 2026-12-01): $25 a month; 20 M requests included, then $0.30 per million; 60 M
 * CPU ms included, then $0.02 per million; 1 000 scripts included, then $0.02 each. One
 * request is billed across the dispatcher → user Worker chain; CPU is billed across both.
 */
export const WFP_PRICES: PlatformPrices = Object.freeze({
  asOf: "2026-04-21",
  checked: "2026-12-01",
  source: "https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/reference/pricing/",
  currency: "USD",
  subscriptionMonthly: 25,
  requests: Object.freeze({ includedPerMonth: 20_000_000, perMillion: 0.3 }),
  cpuMs: Object.freeze({ includedPerMonth: 60_000_000, perMillion: 0.02 }),
  scripts: Object.freeze({ included: 1_000, perScript: 0.02 }),
});

const DATE_RE = /^\d{4}-\d\d-\d\d$/;

function amount(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

function pair(v: unknown, a: string, b: string): v is Record<string, number> {
  return isRecord(v) && amount(v[a]) && amount(v[b]) && Object.keys(v).every((k) => k === a || k === b);
}

/**
 * The price list from config: absent or blank → the built-in list; a JSON text or an
 * object (wrangler vars may be objects) must be a whole list, so a partial override
 * cannot silently mix two price lists.
 */
export function parsePlatformPrices(value: unknown): Result<PlatformPrices, "bad_prices"> {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return ok(WFP_PRICES);
  let v: unknown = value;
  if (typeof value === "string") {
    try {
      v = JSON.parse(value) as unknown;
    } catch {
      return fail("bad_prices", "the price list is not valid JSON");
    }
  }
  const shape = "asOf, checked (YYYY-MM-DD), source, currency \"USD\", subscriptionMonthly, requests {includedPerMonth, perMillion}, cpuMs {includedPerMonth, perMillion}, scripts {included, perScript}";
  if (!isRecord(v)) return fail("bad_prices", `the price list must be an object: ${shape}`);
  const good =
    typeof v.asOf === "string" && DATE_RE.test(v.asOf) && typeof v.checked === "string" && DATE_RE.test(v.checked) &&
    typeof v.source === "string" && v.currency === "USD" && amount(v.subscriptionMonthly) &&
    pair(v.requests, "includedPerMonth", "perMillion") && pair(v.cpuMs, "includedPerMonth", "perMillion") && pair(v.scripts, "included", "perScript");
  if (!good) return fail("bad_prices", `the price list must have exactly: ${shape}`);
  return ok(v as unknown as PlatformPrices);
}
