/**
 * Charts: the spec app.js draws (inert JSON in the page), and the figure around each
 * canvas: an aria-label and a text summary of the same data, so the figures are there
 * for a screen reader, and without JavaScript.
 */
import { html } from "hono/html";
import type { Series } from "../queries/series.ts";
import { BUCKETS, type BucketKey } from "../time.ts";
import { bucketLabel, fmtInt } from "./format.ts";
import { outcomeLabel } from "./labels.ts";
import type { Html } from "./layout.ts";

/** What app.js turns into a Chart (public/static/app.js reads exactly this shape). */
export interface ChartSpec {
  id: string;
  type: "bar" | "line" | "doughnut";
  labels: string[];
  /** `key`: the stored code a colour is chosen by (the label is for people). */
  datasets: { label: string; key?: string; data: number[]; axis?: "y" | "y2"; type?: "line" | "bar" }[];
  /** The stored code of each label (doughnut slices), for colours. */
  keys?: string[];
  stacked?: boolean;
  /** Colour datasets by outcome (a colour-blind-safe palette) rather than by position. */
  palette?: "outcome" | "series";
  /** Vertical lines on a category axis: at `bin + fraction` of the way through the bins. */
  markers?: { bin: number; fraction: number; label: string }[];
  xTitle?: string;
  yTitle?: string;
  y2Title?: string;
  /** A time chart: each label's bucket start (ms) and the bucket size, for drag-to-zoom. */
  times?: number[];
  bucketMs?: number;
}

/** The canvas in its figure; `summary` says in words what the chart shows. */
export function chartFigure(spec: ChartSpec, label: string, summary: string, size: "wide" | "small" = "wide"): Html {
  return html`<figure class="chart-box">
  <div class="chart${size === "small" ? " small" : ""}"><canvas id="${spec.id}" role="img" aria-label="${label}" aria-describedby="${spec.id}-summary"></canvas></div>
  <figcaption id="${spec.id}-summary" class="summary">${summary}</figcaption>
</figure>`;
}

const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Invocations over time, stacked by outcome (and CPU ms on a second axis). */
export function seriesChart(id: string, series: Series, bucket: BucketKey, withCpu: boolean): ChartSpec {
  const bucketMs = BUCKETS[bucket].ms;
  const datasets: ChartSpec["datasets"] = series.outcomes.map((o) => ({ label: outcomeLabel(o.outcome), key: o.outcome, data: o.counts }));
  if (withCpu) datasets.push({ label: "CPU ms", key: "CPU ms", data: series.cpuMs, axis: "y2", type: "line" });
  return {
    id,
    type: "bar",
    labels: series.buckets.map((b) => bucketLabel(b, bucketMs)),
    datasets,
    stacked: true,
    palette: "outcome",
    xTitle: `time (UTC), ${bucket} buckets`,
    yTitle: "invocations",
    ...(withCpu ? { y2Title: "CPU ms" } : {}),
    times: series.buckets.map((b) => Date.parse(`${b.replace(" ", "T")}Z`)),
    bucketMs,
  };
}

export function seriesSummary(series: Series, bucket: BucketKey): string {
  const all = series.outcomes.reduce((n, o) => n + o.total, 0);
  if (all === 0) return `No invocations in this window (${series.buckets.length} buckets of ${bucket}, UTC).`;
  const parts = series.outcomes.map((o) => `${outcomeLabel(o.outcome)} ${fmtInt(o.total)}`).join(", ");
  let peak = 0;
  let peakAt = 0;
  series.buckets.forEach((_, i) => {
    const n = series.outcomes.reduce((sum, o) => sum + (o.counts[i] ?? 0), 0);
    if (n > peak) {
      peak = n;
      peakAt = i;
    }
  });
  const peakLabel = series.buckets[peakAt] ?? "";
  return `${fmtInt(all)} invocations in ${series.buckets.length} buckets of ${bucket} (UTC): ${parts}. Busiest bucket: ${peakLabel} UTC, ${fmtInt(peak)}.`;
}

/** "a 10, b 5, c 3 and 4 more" for a bar or doughnut chart. */
export function barsSummary(labels: readonly string[], data: readonly number[], unit: string, top = 5): string {
  const sum = total(data);
  if (sum === 0) return `No ${unit} in this window.`;
  const pairs = labels.map((l, i) => [l, data[i] ?? 0] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const shown = pairs.slice(0, top).map(([l, n]) => `${l} ${fmtInt(n)}`).join(", ");
  const more = pairs.length > top ? ` and ${pairs.length - top} more` : "";
  return `${fmtInt(sum)} ${unit}: ${shown}${more}.`;
}
