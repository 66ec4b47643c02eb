/**
 * Refreshes the committed copies of chart.js and chartjs-plugin-zoom in public/static
 * from node_modules (run after upgrading either: `pnpm --filter tenantscope-dashboard
 * run assets`). A test fails while a copy and its package differ, so the served files
 * are always the installed versions.
 */
import { copyFile } from "node:fs/promises";
import { resolve } from "node:path";

// Neither package exports its dist files, so resolve the package folders directly.
const FILES = [
  ["chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["chartjs-plugin-zoom/dist/chartjs-plugin-zoom.min.js", "chartjs-plugin-zoom.min.js"],
] as const;

for (const [from, to] of FILES) {
  const source = resolve(import.meta.dirname, "../node_modules", from);
  const target = resolve(import.meta.dirname, "../public/static", to);
  await copyFile(source, target);
  console.log(`copied ${source} → ${target}`);
}
