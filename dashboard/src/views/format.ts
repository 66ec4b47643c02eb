/** Number and time formats for pages; JSON and CSV carry the raw numbers. */
const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const msFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export const fmtInt = (n: number): string => intFormat.format(n);
export const fmtMs = (n: number): string => `${msFormat.format(n)} ms`;
export const fmtPct = (ratio: number): string => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 1)}%`;

/** Short axis labels: 'MM-DD hh:mm' for buckets under a day, 'YYYY-MM-DD' otherwise. */
export function bucketLabel(key: string, bucketMs: number): string {
  return bucketMs >= 86_400_000 ? key.slice(0, 10) : key.slice(5, 16);
}
