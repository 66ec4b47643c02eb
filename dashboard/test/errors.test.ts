/**
 * Errors grouped, from the fixture (fixtures.ts): in the last day alpha has a folded
 * TypeError point (3 invocations, 500), a CPU limit point (sample interval 2, 503) and
 * 3 suspended answers (403: 2 POST + 1 GET); beta one subrequest error (written before
 * error grouping, so not grouped); ghost 3 unknown-tenant answers (404). alpha's
 * requests: 10 invocations + 3 answers = 13.
 */
import { describe, expect, it } from "vitest";
import type { ErrorGroups } from "../src/queries/errors.ts";
import type { ErrorRow } from "../src/queries/errors.ts";
import { sparkline } from "../src/views/errors.ts";
import type { ErrorsPage } from "../src/views/errors.ts";
import { harness, json } from "./helpers.ts";

const summary = (e: ErrorGroups) => e.groups.map((g) => [g.tenant, g.code || g.name, g.requests, Math.round(g.share * 1000) / 1000, g.dispatcher]);

describe("the Errors page", () => {
  it("groups every tenant's errors with the dispatcher's own answers, in three round trips", async () => {
    const h = harness();
    const page = await json<ErrorsPage>(await h.request("/api/errors?range=24h", { as: "support" }));
    expect(summary(page.errors)).toEqual([
      // Equal counts are ordered by first seen: ghost 13 min ago, alpha's suspension 11, the TypeError 7.
      ["ghost", "tenant_not_found", 3, 1, true],
      ["alpha", "tenant_suspended", 3, 0.231, true],
      ["alpha", "TypeError", 3, 0.231, false],
      ["alpha", "cpu_limit_exceeded", 2, 0.154, false],
    ]);
    const suspended = page.errors.groups[1];
    expect(suspended?.methods).toEqual([{ method: "POST", requests: 2 }, { method: "GET", requests: 1 }]);
    expect(suspended?.messageKey).toBe('Tenant "<str>" is suspended.');
    expect(suspended?.trend.reduce((a, b) => a + b, 0)).toBe(3);
    // Hour bars over 24 h, from the hour the range starts in: 25.
    expect(page.errors.trendBuckets).toHaveLength(25);
    expect(page.errors.groups[2]?.logs).toEqual({ cut: 0, lines: [{ level: "log", text: "starting <b>" }, { level: "error", text: "boom" }] });
    expect(h.sent).toHaveLength(3);
  });

  it("keeps a scoped reader to their tenant, in SQL", async () => {
    const h = harness();
    const page = await json<ErrorsPage>(await h.request("/api/errors?range=24h", { as: "scopedSupport" }));
    expect(new Set(page.errors.groups.map((g) => g.tenant))).toEqual(new Set(["alpha"]));
    for (const sql of h.sent) expect(sql).toContain("index1 = 'alpha'");
    expect((await h.request("/api/errors?tenant=ghost", { as: "scopedSupport" })).status).toBe(403);
  });

  it("is not for billing, and refuses a bad tenant or group", async () => {
    const h = harness();
    expect((await h.request("/api/errors", { as: "billing" })).status).toBe(403);
    expect((await h.request("/api/errors?tenant=Bad'Name", { as: "support" })).status).toBe(400);
    expect((await h.request("/api/errors/not-a-group", { as: "support" })).status).toBe(400);
  });

  it("gives the raw rows behind a group, newest first, with their excerpts", async () => {
    const h = harness();
    const page = await json<ErrorsPage>(await h.request("/api/errors?range=24h&tenant=alpha", { as: "support" }));
    const group = page.errors.groups.find((g) => g.code === "tenant_suspended");
    const res = await h.request(`/api/errors/${group?.id ?? ""}?range=24h&tenant=alpha`, { as: "support" });
    const rows = (await json<{ rows: ErrorRow[] }>(res)).rows;
    expect(rows.map((r) => [r.method, r.status, r.requests, r.dispatcher])).toEqual([["POST", 403, 2, true], ["GET", 403, 1, true]]);
  });

  it("renders escaped, with a trend and a link to the raw rows", async () => {
    const page = await (await harness().request("/errors?range=24h", { as: "support" })).text();
    expect(page).toContain("boom &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain('<svg class="trend"');
    expect(page).toMatch(/href="\/errors\/[0-9a-f]{16}\?tenant=alpha&amp;range=24h"/);
    expect(page).toContain('href="/errors"');
  });

  it("shows the section on the tenant page, and no logs link without a Workers Logs token", async () => {
    const page = await (await harness().request("/tenants/alpha?range=24h", { as: "support" })).text();
    expect(page).toContain('id="error-groups"');
    expect(page).not.toContain("full logs");
    expect((await harness().request("/api/tenants/alpha/logs?at=1800000000", { as: "support" })).status).toBe(501);
  });
});

describe("sparkline", () => {
  it("draws one bar per interval, scaled to the peak, and says the counts", async () => {
    const svg = (await sparkline([0, 2, 4], 60_000)).toString();
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('height="18"');
    expect(svg).toContain("trend: 0, 2, 4 per 1 min");
  });
});
