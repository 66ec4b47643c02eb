/** Latency summaries: nearest-rank percentiles and the mean, in ms. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean };
}

export const ms = (x: number): string => x.toFixed(3);
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
