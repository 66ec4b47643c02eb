/** Number and time formats for pages; JSON and CSV carry the raw numbers. */
const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const msFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export const fmtInt = (n: number): string => intFormat.format(n);
export const fmtMs = (n: number): string => `${msFormat.format(n)} ms`;
const usdFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Sub-cent amounts would all read $0.00: show them as "< $0.01" so a cost is never hidden. */
export const fmtUsd = (n: number): string => (n !== 0 && Math.abs(n) < 0.005 ? `${n < 0 ? "−" : ""}< $0.01` : usdFormat.format(n));
export const fmtPct = (ratio: number): string => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 1)}%`;

/** Short axis labels: 'MM-DD hh:mm' for buckets under a day, 'YYYY-MM-DD' otherwise. */
export function bucketLabel(key: string, bucketMs: number): string {
  return bucketMs >= 86_400_000 ? key.slice(0, 10) : key.slice(5, 16);
}
