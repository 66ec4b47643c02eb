/**
 * Refreshes the committed copy of chart.js in public/static from node_modules (run
 * after upgrading chart.js: `pnpm --filter tenantscope-dashboard run assets`). A test
 * fails while the two differ, so the served file is always the installed version.
 */
import { copyFile } from "node:fs/promises";
import { resolve } from "node:path";

// chart.js does not export its dist files, so resolve the package folder directly.
const CHARTJS_SOURCE = resolve(import.meta.dirname, "../node_modules/chart.js/dist/chart.umd.min.js");
const source = CHARTJS_SOURCE;
const target = resolve(import.meta.dirname, "../public/static/chart.umd.min.js");
await copyFile(source, target);
console.log(`copied ${source} → ${target}`);
