/**
 * The Alerts page in the browser test: what the fresh stack shows, and the forms driven
 * as an operator would (a refused value kept with its reason, then a webhook and a rule
 * saved, a test notification to the local inbox).
 */
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";

export const ALERT_RULE = "browser-errors";
export const ALERT_HOOK = "browser-hook";

/** On a fresh stack: the seeded rule and webhook (local/dev/seed-alerts.ts), and an evaluator that has seen nothing yet. */
export function expectAlertsEmpty(text: string): void {
  expect(text).toContain("demo-fanout-errors");
  expect(text).toContain("set (");
  for (const empty of ["Nothing is firing.", "No alert has fired yet.", "No deliveries yet."]) expect(text).toContain(empty);
}

/** After the forms below: the rule and the webhook are listed, the secret nowhere. */
export function expectAlertsData(text: string, secret: string): void {
  expect(text).toContain(ALERT_RULE);
  expect(text).toContain("error rate ≥ 50 % over 5 min");
  expect(text).toContain(ALERT_HOOK);
  expect(text).toContain(`set (${secret.length} characters)`);
  expect(text).not.toContain(secret);
}

async function submit(page: Page, form: ReturnType<Page["locator"]>): Promise<void> {
  await Promise.all([page.waitForLoadState("load"), form.locator("[type=submit]").click()]);
}

/** Fills the forms on /alerts; the refused rule is one 400 page, which the caller expects in its console check. */
export async function fillAlertForms(page: Page, dashboard: string, inboxUrl: string, secret: string): Promise<void> {
  await page.goto(new URL("/alerts", dashboard).href);
  const hook = page.locator("#webhook-edit");
  await hook.locator('input[name="id"]').fill(ALERT_HOOK);
  await hook.locator('input[name="url"]').fill(inboxUrl);
  await hook.locator('input[name="secret"]').fill(secret);
  await submit(page, hook);
  await page.waitForURL((url) => url.searchParams.get("saved-webhook") === ALERT_HOOK);

  const rule = page.locator("#rule-edit");
  await rule.locator('input[name="id"]').fill(ALERT_RULE);
  await rule.locator('input[name="name"]').fill("Browser error rate");
  await rule.locator('input[name="windowMinutes"]').fill("5");
  await rule.locator('input[name="threshold"]').fill("50%");
  await rule.locator(`input[name="webhooks"][value="${ALERT_HOOK}"]`).check();
  await submit(page, rule);
  // Refused: the value stays as typed, the reason beside it, and it is announced.
  expect(await page.locator("#rule-threshold-reason").innerText()).toContain("threshold must be a number");
  expect(await page.locator('#rule-edit input[name="threshold"]').inputValue()).toBe("50%");
  expect(await page.locator('#rule-edit input[name="name"]').inputValue()).toBe("Browser error rate");
  await page.locator('#rule-edit input[name="threshold"]').fill("0.5");
  await submit(page, page.locator("#rule-edit"));
  await page.waitForURL((url) => url.searchParams.get("saved-rule") === ALERT_RULE);
}

/** The test notification's button, when the page has one; the page then says how the delivery went. */
export async function sendTestNotification(page: Page): Promise<boolean> {
  const button = page.locator(`form[action="/alerts/webhooks/${ALERT_HOOK}/test"] button`);
  if ((await button.count()) === 0) return false;
  await Promise.all([page.waitForURL((url) => url.searchParams.get("tested") === ALERT_HOOK), button.click()]);
  expect(await page.locator(".notice").innerText()).toMatch(new RegExp(`Test notification to ${ALERT_HOOK}`));
  return true;
}

/** What the browser test shares with these suites. */
export interface AlertsSuite {
  visit(path: string, shot: string, width: number, theme: "light" | "dark"): Promise<{ overflow: number; text: string }>;
  page(): Page;
  urls(): { dashboard: string; api: string };
  consoleErrors: string[];
  widths: readonly number[];
  themes: readonly ("light" | "dark")[];
  shots: string;
}

export function alertsEmptySuite(s: AlertsSuite): void {
  for (const width of s.widths) {
    for (const theme of s.themes) {
      it(`shows the seeded rule and no states, history or deliveries yet at ${width} px in ${theme}`, async () => {
        const v = await s.visit("/alerts", "empty-alerts", width, theme);
        expectAlertsEmpty(v.text);
        expect(v.overflow, `alerts scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
      });
    }
  }
}

export function alertsDataSuite(s: AlertsSuite): void {
  const secret = "browser-test-secret-0123456789";
  it("adds a webhook and a rule through the forms, a refused value kept with its reason", async () => {
    await s.page().setViewportSize({ width: 1280, height: 900 });
    const before = s.consoleErrors.length;
    await fillAlertForms(s.page(), s.urls().dashboard, new URL(`/_local/inbox/${ALERT_HOOK}`, s.urls().api).href, secret);
    // The refused rule is a 400 on purpose: take exactly its two reports out of the console check.
    await expect.poll(() => s.consoleErrors.slice(before).sort()).toEqual(["400 /alerts/rules", "Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    s.consoleErrors.splice(before);
  });

  it("evaluates now and sends a test notification to the local inbox", async () => {
    const page = s.page();
    await page.goto(new URL("/alerts", s.urls().dashboard).href);
    await Promise.all([page.waitForURL((url) => url.searchParams.get("evaluated") === "1"), page.locator('form[action="/alerts/evaluate"] button').click()]);
    expect(await page.locator("#runs-table tbody tr").count()).toBeGreaterThan(0);
    // The stack runs the evaluator and the local inbox: the test delivery is signed and accepted.
    expect(await sendTestNotification(page)).toBe(true);
    expect(await page.locator(".notice").innerText()).toMatch(/: delivered after 1 attempt \(HTTP 2\d\d\)\./);
    await page.screenshot({ path: resolve(s.shots, "dashboard-alerts-after-test.png"), fullPage: true });
  });

  for (const width of s.widths) {
    for (const theme of s.themes) {
      it(`lists them with the runs and deliveries at ${width} px in ${theme}`, async () => {
        const v = await s.visit("/alerts", "alerts", width, theme);
        expectAlertsData(v.text, secret);
        expect(v.text).toMatch(new RegExp(`${ALERT_HOOK}\\ttest\\t.*delivered`));
        expect(v.overflow, `alerts scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
      });
    }
  }
}
