/**
 * The time control every page with a time window shows: presets, absolute from/to
 * (UTC), the bucket (chosen from the span, or picked), when the data was read, auto
 * refresh, and a link with absolute times. app.js adds the refresh timer, the copy
 * button and drag-to-zoom; without it, every part still works as links and a form.
 */
import { html, raw } from "hono/html";
import { qs } from "../routes/shared.ts";
import { PRESETS, isoSeconds, type TimeWindow } from "../time.ts";
import type { Html } from "./layout.ts";

export type Keep = Record<string, string | number | null | undefined>;

/** The parameters that reproduce this window: the preset, or the absolute times; the bucket if picked. */
export function timeParams(w: TimeWindow): Keep {
  const bucket = w.bucketAuto ? null : w.bucket;
  return w.range === "custom" ? { from: isoSeconds(w.from), to: isoSeconds(w.to), bucket } : { range: w.range, bucket };
}

/** The same window as absolute times: a link that shows the same data tomorrow. */
export function absoluteParams(w: TimeWindow): Keep {
  return { from: isoSeconds(w.from), to: isoSeconds(w.to), bucket: w.bucketAuto ? null : w.bucket };
}

/** 'YYYY-MM-DD hh:mm:ss UTC' for people. */
export function utcText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function current(on: boolean): Html {
  return on ? html`${raw(' aria-current="true"')}` : html``;
}

function hidden(keep: Keep): Html[] {
  return Object.entries(keep)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`);
}

/** `datetime-local` values (minutes and seconds, no zone): the form labels them UTC. */
const inputValue = (ms: number): string => isoSeconds(ms).slice(0, 19);

/** `bucketPicker: false` for pages without a time chart (their URLs take no bucket). */
export function timeControl(p: { path: string; window: TimeWindow; keep: Keep; asOfMs: number; bucketPicker?: boolean }): Html {
  const { path, window: w, keep } = p;
  const presets = Object.keys(PRESETS).map(
    (r) => html`<a href="${path}${qs({ range: r, ...keep })}"${current(w.range === r)}>${r}</a>`,
  );
  const base = w.range === "custom" ? { from: isoSeconds(w.from), to: isoSeconds(w.to) } : { range: w.range };
  const buckets = [
    html`<a href="${path}${qs({ ...base, ...keep })}"${current(w.bucketAuto)}>auto (${w.bucketAuto ? w.bucket : "from the span"})</a>`,
    ...w.buckets.map((b) => html`<a href="${path}${qs({ ...base, bucket: b, ...keep })}"${current(!w.bucketAuto && w.bucket === b)}>${b}</a>`),
  ];
  const link = `${path}${qs({ ...absoluteParams(w), ...keep })}`;
  return html`<section class="timebar" aria-label="Time window">
  <nav class="picker" aria-label="Time range">Range: ${presets}</nav>
  <form method="get" action="${path}" class="row custom-range">${hidden(keep)}
    <label>From (UTC) <input type="datetime-local" name="from" step="1" value="${inputValue(w.from)}" required></label>
    <label>To (UTC) <input type="datetime-local" name="to" step="1" value="${inputValue(w.to)}" required></label>
    <button type="submit">Show</button>
  </form>
  ${p.bucketPicker === false ? html`` : html`<nav class="picker" aria-label="Bucket size">Bucket: ${buckets}</nav>`}
  <p class="asof"><span data-figure="window">${utcText(w.from)} to ${utcText(w.to)}</span> ·
    data as of <time datetime="${isoSeconds(p.asOfMs)}" data-figure="as-of">${utcText(p.asOfMs)}</time> ·
    <label>Auto refresh <select id="auto-refresh"><option value="0">off</option><option value="30">30 s</option><option value="60">1 min</option></select></label> ·
    <a href="${link}" id="permalink">link with absolute times</a> <button type="button" id="copy-link" data-href="${link}">Copy link</button>
    <span id="copy-status" role="status"></span></p>
</section>`;
}
