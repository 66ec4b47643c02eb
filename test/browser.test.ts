/**
 * The dashboard in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the whole local stack: every page first on the fresh
 * stack (the dataset never written: the empty state with the `pnpm demo` command for
 * this stack's ports), then filled with demo traffic; each at 1280 and 390 px wide, in
 * light and dark, saved as a screenshot under screenshots/ (CI keeps that folder),
 * with no sideways scroll at 390 px and no serious or critical axe-core violation.
 * Then drag-to-zoom, the theme toggle, and a plan edit the dispatcher applies.
 *
 * Without Chromium the test is skipped locally, and fails in CI (CI=true), where
 * .ci/run installs it.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USAGE_CSV_COLUMNS } from "@tenantscope/core/usage";
import { demoCommand } from "../local/dev/commands.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { runTraffic } from "../local/dev/traffic.ts";
import { waitForInvocations } from "./ae.ts";
import { alertsDataSuite, alertsEmptySuite, type AlertsSuite } from "./browser-alerts.ts";
import { charts, chartsReady, seriousViolations, sidewaysOverflow, type ChartState } from "./browser-page.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const SHOTS = resolve(import.meta.dirname, "../screenshots");
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true") throw new Error(`Chromium is required in CI and missing at ${CHROMIUM} (apt-get install -y chromium)`);

let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

const PAGES: [string, string][] = [
  ["overview", "/?range=1h"],
  ["tenant", "/tenants/fanout?range=1h"],
  ["billing", "/billing"],
  ["errors", "/errors?range=1h"],
  ["plans", "/plans?range=1h"],
];
const WIDTHS = [1280, 390] as const;
const THEMES = ["light", "dark"] as const;

interface Visit {
  charts: ChartState[];
  /** The Errors page's inline SVG trends (one per group). */
  trends: number;
  overflow: number;
  text: string;
}

/** Opens a page at a width and theme, checks it for accessibility, and saves a screenshot. */
async function visit(path: string, shot: string, width: number, theme: "light" | "dark"): Promise<Visit> {
  await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
  await page.emulateMedia({ colorScheme: theme });
  const res = await page.goto(new URL(path, stack.urls.dashboard).href);
  expect(res?.status(), path).toBe(200);
  await chartsReady(page);
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(SHOTS, `dashboard-${shot}-${width}-${theme}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  expect(violations, `${shot} at ${width} px, ${theme}: axe serious/critical violations`).toEqual([]);
  return { charts: await charts(page), trends: await page.locator("svg.trend").count(), overflow: await sidewaysOverflow(page), text: await page.locator("main").innerText() };
}

const suite: AlertsSuite = { visit, page: () => page, urls: () => stack.urls, consoleErrors, widths: WIDTHS, themes: THEMES, shots: SHOTS };

describe.skipIf(!available)("the dashboard in a real browser", () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // A one-second plan cache, so the dispatcher applies an edit within the test.
    stack = await startStack({ port: 0, apiPort: 0, persistTo: false, log: () => {}, dispatcherVars: { PLAN_CACHE_TTL_SECONDS: "1" } });
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
    await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.click("#login-form [type=submit]")]);
    expect(await page.title()).toMatch(/Overview/);
  });

  describe("on the fresh stack (nothing written yet)", () => {
    const demo = (): string => demoCommand(Number(new URL(stack.urls.dispatcher).port));
    for (const [name, path] of PAGES) {
      for (const width of WIDTHS) {
        for (const theme of THEMES) {
          it(`shows ${name} empty, with the next step, at ${width} px in ${theme}`, async () => {
            const v = await visit(path, `empty-${name}`, width, theme);
            expect(v.text, name).toContain("No data yet");
            expect(v.text, name).toContain(demo());
            expect(v.text, name).not.toContain("Analytics unavailable");
            for (const c of v.charts) {
              expect(c.rendered, `${name}: chart ${c.id} is empty`).toBe("0");
              // The "no data" label is drawn: an empty chart has ink, not a blank box.
              expect(c.inkedPixels, `${name}: chart ${c.id} says it has no data`).toBeGreaterThan(200);
            }
            // No sideways scroll at any width (390 px is the one that used to overflow).
            expect(v.overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
          });
        }
      }
    }
  });

  describe("the Alerts page on the fresh stack", () => {
    alertsEmptySuite(suite);
  });

  describe("with demo traffic", () => {
    beforeAll(async () => {
      const traffic = await runTraffic({ dispatcher: stack.urls.dispatcher, durationMs: 4_000, rate: 40, concurrency: 2, seed: 7 });
      await waitForInvocations(stack, traffic.invocations, 15_000);
    });

    for (const [name, path] of PAGES) {
      for (const width of WIDTHS) {
        for (const theme of THEMES) {
          it(`renders ${name} with charts that drew data at ${width} px in ${theme}`, async () => {
            const v = await visit(path, name, width, theme);
            expect(v.text).not.toContain("No data yet");
            // The Errors page draws its groups' trends as small inline SVGs, not canvases.
            expect(v.charts.length + v.trends, `${name} has charts`).toBeGreaterThan(0);
            for (const s of v.charts) {
              expect(s.values, `${name}: chart ${s.id} has data`).toBeGreaterThan(0);
              expect(s.inkedPixels, `${name}: chart ${s.id} drew something`).toBeGreaterThan(500);
            }
            // No sideways scroll at any width (390 px is the one that used to overflow).
            expect(v.overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
          });
        }
      }
    }

    it("zooms by dragging across the time chart: the page reloads with absolute from/to", async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(new URL("/?range=15m", stack.urls.dashboard).href);
      await chartsReady(page);
      const box = await page.locator("#overview-series").boundingBox();
      if (box === null) throw new Error("no chart box");
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width * 0.3, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, y, { steps: 8 });
      await Promise.all([page.waitForURL((url) => url.searchParams.has("from")), page.mouse.up()]);
      const url = new URL(page.url());
      const from = Date.parse(url.searchParams.get("from") ?? "");
      const to = Date.parse(url.searchParams.get("to") ?? "");
      expect(url.searchParams.has("range")).toBe(false);
      expect(to - from).toBeGreaterThanOrEqual(60_000);
      expect(to - from).toBeLessThan(15 * 60_000);
      expect(await page.locator('[data-figure="window"]').innerText()).toContain("UTC");
      await page.screenshot({ path: resolve(SHOTS, "dashboard-overview-zoomed.png"), fullPage: true });
    });

    it("keeps the reader's theme choice across pages", async () => {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(new URL("/billing", stack.urls.dashboard).href);
      const toggle = page.locator("#theme-toggle");
      await expect.poll(() => toggle.getAttribute("aria-pressed")).toBe("false");
      await toggle.click();
      await page.goto(new URL("/plans?range=1h", stack.urls.dashboard).href);
      expect(await page.evaluate(() => document.documentElement.getAttribute("data-theme"))).toBe("dark");
      expect(await page.locator("#theme-toggle").getAttribute("aria-pressed")).toBe("true");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe("rgb(13, 17, 23)");
      await page.locator("#theme-toggle").click();
    });
  });

  describe("the Alerts page with a rule and a webhook", () => {
    alertsDataSuite(suite);
  });

  it("downloads the usage export as named CSV and JSON files, and shows cost and margin", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(new URL("/billing", stack.urls.dashboard).href);
    const month = new Date().toISOString().slice(0, 7);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.locator("a", { hasText: /^CSV$/ }).click()]);
    expect(csv.suggestedFilename()).toBe(`tenantscope-usage-${month}.csv`);
    const lines = (await readFile(await csv.path(), "utf8")).trim().split("\r\n");
    expect(lines[0]).toBe(USAGE_CSV_COLUMNS.join(","));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.some((l) => l.startsWith("acme,hello,free,"))).toBe(true);
    const [json] = await Promise.all([page.waitForEvent("download"), page.locator("a", { hasText: /^JSON$/ }).click()]);
    expect(json.suggestedFilename()).toBe(`tenantscope-usage-${month}.json`);
    const exported = JSON.parse(await readFile(await json.path(), "utf8")) as { rows: unknown[]; margin: { tenants: { tenant: string; loss: boolean }[] } };
    expect(exported.rows.length).toBe(lines.length - 1);
    // The demo's prices: free is $0 a month, so its tenants' traffic is a loss, flagged on the page.
    const losses = exported.margin.tenants.filter((t) => t.loss).map((t) => t.tenant).sort();
    expect(losses).toContain("hello");
    const marginText = await page.locator("#margin-tenants").innerText();
    expect(marginText).toMatch(/hello[\s\S]*loss/);
    expect(await page.locator("main").innerText()).toContain("estimate from sampled data");
    expect(await page.locator('[data-figure="account-total"]').innerText()).toBe("$25.00");
  });

  it("keeps a refused price in the form with the reason, and saves a good one", async () => {
    await page.goto(new URL("/plans?range=1h", stack.urls.dashboard).href);
    const form = page.locator('form[action="/plans/pro/price"]');
    const before = consoleErrors.length;
    await form.locator('input[name="monthly"]').fill("twenty");
    await Promise.all([page.waitForLoadState("load"), form.locator("[type=submit]").click()]);
    expect(await page.locator("#rejected-price-pro").innerText()).toContain("price.monthly must be a number of USD");
    expect(await form.locator('input[name="monthly"]').inputValue()).toBe("twenty");
    await expect.poll(() => consoleErrors.slice(before).sort()).toEqual(["400 /plans/pro/price", "Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    consoleErrors.splice(before);
    await form.locator('input[name="monthly"]').fill("30");
    await Promise.all([page.waitForURL((url) => url.pathname === "/plans" && url.searchParams.has("saved")), form.locator("[type=submit]").click()]);
    expect(await page.locator('#plan-pro [data-figure="plan-price"]').innerText()).toMatch(/^\$30\.00 a month/);
    expect(await page.locator("#plan-pro").innerText()).toMatch(/This month so far: \d+ tenants/);
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
    // A rejected value stays in the form, the reason beside it.
    const before = consoleErrors.length;
    await form.locator('input[name="cpuMs"]').fill("20x");
    await Promise.all([page.waitForLoadState("load"), form.locator("[type=submit]").click()]);
    expect(await page.locator("#rejected-pro").innerText()).toContain("cpuMs must be an integer");
    expect(await form.locator('input[name="cpuMs"]').inputValue()).toBe("20x");
    // That page is a 400 on purpose: take exactly its two reports out of the console check.
    await expect.poll(() => consoleErrors.slice(before).sort()).toEqual(["400 /plans/pro", "Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    consoleErrors.splice(before);
    await form.locator('input[name="cpuMs"]').fill("2000");
    await Promise.all([page.waitForLoadState("load"), form.locator("[type=submit]").click()]);
    // "Save limits" first shows what the new limit would have done, and saves once confirmed.
    await page.waitForURL((url) => url.pathname === "/plans/pro");
    expect(await page.locator("h2").first().innerText()).toBe("Save limits of pro?");
    expect(await page.locator('[data-figure="confirm-cpu"]').innerText()).toMatch(/new failures/);
    await Promise.all([page.waitForLoadState("load"), page.locator("button", { hasText: "Confirm and save" }).click()]);
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
