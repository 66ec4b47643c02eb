/**
 * The dashboard in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the whole local stack filled with demo traffic:
 * sign in, open every page, check that each chart drew data and that the console
 * stayed clean, change a plan limit and watch the dispatcher apply it. Each page
 * is saved as a screenshot under screenshots/ (CI keeps that folder).
 *
 * Without Chromium the test is skipped locally, and fails in CI (CI=true), where
 * .ci/run installs it.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { runTraffic } from "../local/dev/traffic.ts";
import { waitForInvocations } from "./ae.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const SHOTS = resolve(import.meta.dirname, "../screenshots");
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true") throw new Error(`Chromium is required in CI and missing at ${CHROMIUM} (apt-get install -y chromium)`);

let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

interface ChartState {
  id: string;
  values: number;
  inkedPixels: number;
}

/** Every canvas's chart: how many non-empty values it holds, and how many pixels it drew. */
async function charts(): Promise<ChartState[]> {
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
      return { id: canvas.id, values, inkedPixels: inked };
    });
  });
}

async function open(path: string, shot: string): Promise<ChartState[]> {
  const res = await page.goto(new URL(path, stack.urls.dashboard).href);
  expect(res?.status(), path).toBe(200);
  // Charts animate in; wait until every canvas has a chart (or the page has none).
  await page.waitForFunction(() => {
    const lib = (globalThis as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
    return [...document.querySelectorAll("canvas")].every((c) => lib?.getChart(c) !== undefined);
  }, undefined, { timeout: 10_000 });
  await page.waitForTimeout(700);
  await page.screenshot({ path: resolve(SHOTS, `dashboard-${shot}.png`), fullPage: true });
  return charts();
}

describe.skipIf(!available)("the dashboard in a real browser", () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // A one-second plan cache, so the dispatcher applies an edit within the test.
    stack = await startStack({ port: 0, apiPort: 0, persistTo: false, log: () => {}, dispatcherVars: { PLAN_CACHE_TTL_SECONDS: "1" } });
    const traffic = await runTraffic({ dispatcher: stack.urls.dispatcher, durationMs: 4_000, rate: 40, concurrency: 2, seed: 7 });
    await waitForInvocations(stack, traffic.invocations, 15_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    // The console names no URL for a failed resource: record it here.
    page.on("response", (res) => { if (res.status() >= 400) consoleErrors.push(`${res.status()} ${new URL(res.url()).pathname}`); });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  it("signs in as an operator", async () => {
    const operator = stack.dashboardLogins.find((l) => l.role === "operator" && l.tenant === null);
    if (operator === undefined) throw new Error("no operator login");
    await page.goto(new URL("/login", stack.urls.dashboard).href);
    await page.fill("#token", operator.token);
    await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.click("#login-form button[type=submit], #login-form [type=submit]")]);
    expect(await page.title()).toMatch(/Overview/);
  });

  it.each([
    ["overview", "/?range=1h"],
    ["tenant", "/tenants/fanout?range=1h"],
    ["billing", "/billing"],
    ["plans", "/plans?range=1h"],
  ])("renders the %s page with charts that drew data", async (name, path) => {
    const states = await open(path, name);
    expect(states.length, `${name} has charts`).toBeGreaterThan(0);
    for (const s of states) {
      expect(s.values, `${name}: chart ${s.id} has data`).toBeGreaterThan(0);
      expect(s.inkedPixels, `${name}: chart ${s.id} drew something`).toBeGreaterThan(500);
    }
  });

  it("changes a plan limit, and the dispatcher applies it", async () => {
    const burn = async (): Promise<number> => {
      const res = await fetch(new URL("/cpu-burner/?ms=150", stack.urls.dispatcher));
      await res.text();
      return res.status;
    };
    expect(await burn()).toBe(503); // pro allows 50 ms
    await page.goto(new URL("/plans?range=1h", stack.urls.dashboard).href);
    const form = page.locator('form[action="/plans/pro"]');
    await form.locator('input[name="cpuMs"]').fill("2000");
    await Promise.all([page.waitForLoadState("load"), form.locator("[type=submit]").click()]);
    await page.waitForURL((url) => url.pathname === "/plans");
    expect(await page.locator("body").innerText()).toMatch(/2000/);
    let status = 503;
    const deadline = Date.now() + 10_000;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = await burn();
    }
    expect(status).toBe(200);
    await page.screenshot({ path: resolve(SHOTS, "dashboard-plans-after-edit.png"), fullPage: true });
  });

  it("logged no console errors on any page", () => {
    expect(consoleErrors).toEqual([]);
  });
});
