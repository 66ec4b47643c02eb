/**
 * A fresh deploy or stack: the dataset has never been written to, and AE answers 422
 * "no data has been written to that dataset". Every page shows an empty state with the
 * next step instead of "Analytics unavailable". The queries here go to the REAL local
 * AE, renamed to a dataset that was never written, so the 422 is the stand-in's own.
 */
import { describe, expect, it } from "vitest";
import type { Overview } from "../src/queries/overview.ts";
import { harness, json } from "./helpers.ts";

const freshStack: typeof fetch = (input, init) =>
  fetch(input, { ...init, body: typeof init?.body === "string" ? init.body.replaceAll("tenant_invocations", "never_written") : null });

const DEMO = "pnpm demo -- --url http://127.0.0.1:18787";

describe("empty dataset", () => {
  it("answers every JSON twin with zeros and datasetEmpty: true, not an error", async () => {
    const h = harness({ fetch: freshStack });
    const o = await json<Overview & { datasetEmpty: boolean }>(await h.request("/api/overview?range=1h", { as: "operator" }));
    expect(o.datasetEmpty).toBe(true);
    expect(o.totals).toEqual({ requests: 0, errors: 0, errorRate: 0 });
    expect(o.tenants).toEqual([]);
    // Every bucket of the hour is there (61 when the hour does not start on a minute).
    expect(o.series.buckets.length).toBeGreaterThanOrEqual(60);
    expect(o.series.buckets.length).toBeLessThanOrEqual(61);
    for (const path of ["/api/tenants/alpha?range=1h", "/api/billing", "/api/plans"]) {
      const res = await h.request(path, { as: "operator" });
      expect(res.status, path).toBe(200);
      expect((await json<{ datasetEmpty: boolean }>(res)).datasetEmpty, path).toBe(true);
    }
    const real = await json<{ datasetEmpty: boolean }>(await harness().request("/api/overview?range=1h", { as: "operator" }));
    expect(real.datasetEmpty).toBe(false);
  });

  it("shows the empty state on every page, with the exact demo command when the dev runner gives one", async () => {
    const h = harness({ fetch: freshStack }, { DEMO_COMMAND: DEMO });
    for (const path of ["/?range=15m", "/tenants/alpha", "/billing", "/plans"]) {
      const res = await h.request(path, { as: "operator" });
      expect(res.status, path).toBe(200);
      const page = await res.text();
      expect(page, path).toContain('id="empty-state"');
      expect(page, path).toContain("No data has been written to the <code>tenant_invocations</code> dataset");
      expect(page, path).toContain(`<code data-figure="demo-command">${DEMO}</code>`);
      expect(page, path).not.toContain("Analytics unavailable");
    }
  });

  it("names the production next step when there is no demo command", async () => {
    const page = await (await harness({ fetch: freshStack }).request("/plans", { as: "operator" })).text();
    expect(page).toContain("attach the Tail Worker to your user Workers");
    expect(page).not.toContain("pnpm demo");
    // The plans themselves come from KV and are all there before any traffic.
    for (const plan of ["free", "pro", "enterprise"]) expect(page).toContain(`id="plan-${plan}"`);
  });

  it("shows no empty state when the dataset has data, even if the window is empty", async () => {
    const page = await (await harness({}, { DEMO_COMMAND: DEMO }).request("/tenants/gamma?range=15m", { as: "support" })).text();
    expect(page).not.toContain('id="empty-state"');
    // An empty time chart is drawn with a "no data" label (charts.js); its summary says so in words.
    expect(page).toMatch(/No invocations in this window \(1[56] buckets of 1m, UTC\)\./);
    // One outcome or none: a sentence, not a one-slice doughnut.
    expect(page).toContain('data-figure="outcome-single">No invocations in this window.<');
    expect(page).not.toContain('id="tenant-outcomes"');
  });

  it("replaces a one-slice doughnut by a sentence with human labels", async () => {
    // beta in the last 3 days... in the last 7 days: ok and exception, so a doughnut.
    const two = await (await harness().request("/tenants/beta?range=7d", { as: "support" })).text();
    expect(two).toContain('<canvas id="tenant-outcomes" role="img" aria-label="Invocations by outcome"');
    // gamma in the last hour: one 404 with outcome ok.
    const one = await (await harness().request("/tenants/gamma?range=1h", { as: "support" })).text();
    expect(one).toContain('data-figure="outcome-single">All 1 invocations: OK.<');
  });
});
