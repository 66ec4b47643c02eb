/**
 * What the browser test reads from a page: each chart's state, sideways overflow, and
 * an axe-core accessibility scan. axe runs offline: its file from node_modules is
 * evaluated in the page through the DevTools protocol (the page's CSP forbids an
 * injected <script>, and must stay strict for the test to mean anything).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

export interface ChartState {
  id: string;
  values: number;
  inkedPixels: number;
  rendered: string | null;
}

/** Every canvas's chart: how many non-empty values it holds, and how many pixels it drew. */
export async function charts(page: Page): Promise<ChartState[]> {
  return page.evaluate(() => {
    type ChartLike = { data: { datasets: { data: unknown[] }[] } };
    const lib = (globalThis as unknown as { Chart?: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }).Chart;
    return [...document.querySelectorAll("canvas")].map((canvas) => {
      const chart = lib?.getChart(canvas);
      const values = chart === undefined ? -1 : chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== undefined && v !== 0).length, 0);
      const ctx = canvas.getContext("2d");
      let inked = 0;
      if (ctx !== null && canvas.width > 0 && canvas.height > 0) {
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) inked++;
      }
      return { id: canvas.id, values, inkedPixels: inked, rendered: canvas.getAttribute("data-rendered") };
    });
  });
}

/** Waits until every canvas has its chart (or the page has none). */
export async function chartsReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const lib = (globalThis as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
      return [...document.querySelectorAll("canvas")].every((c) => lib?.getChart(c) !== undefined);
    },
    undefined,
    { timeout: 10_000 },
  );
}

/** How far the page scrolls sideways (0 = it fits the viewport). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(" ")) }));
  });
}
