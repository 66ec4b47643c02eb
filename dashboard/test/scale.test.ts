/**
 * Many tenants: paging with "showing n of N", search, the jump box, a minimum volume
 * when ranking by error rate, an unknown tenant answered as such, and scoped readers
 * landing on their own tenant page. Figures from the fixture (test/fixtures.ts), last
 * hour: beta 11 requests (error rate 1/11), alpha 10 (0.5), ~overflow 5 (0), gamma 1 (0).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Overview } from "../src/queries/overview.ts";
import { harness, json } from "./helpers.ts";

const names = (o: Overview): string[] => o.tenants.map((t) => t.tenant);

describe("paging and search", () => {
  it("pages the tenant table and says how many tenants there are", async () => {
    const h = harness();
    const first = await json<Overview>(await h.request("/api/overview?range=1h&limit=2", { as: "support" }));
    expect(names(first)).toEqual(["beta", "alpha"]);
    expect(first).toMatchObject({ tenantCount: 4, offset: 0 });
    const second = await json<Overview>(await h.request("/api/overview?range=1h&limit=2&page=2", { as: "support" }));
    expect(names(second)).toEqual(["~overflow", "gamma"]);
    expect(second).toMatchObject({ tenantCount: 4, offset: 2 });
    const past = await json<Overview>(await h.request("/api/overview?range=1h&limit=2&page=3", { as: "support" }));
    expect(names(past)).toEqual([]);
    expect(past.tenantCount).toBe(4);
    // Still two round trips: the count comes with the table (rows_before_limit_at_least).
    expect(h.sent.length).toBe(6);
    const page = await (await h.request("/?range=1h&limit=2", { as: "support" })).text();
    expect(page).toContain('data-figure="showing">Showing 2 of 4 tenants (1–2, page 1 of 2).');
    expect(page).toContain('href="/?range=1h&amp;sort=requests&amp;dir=desc&amp;limit=2&amp;page=2" rel="next"');
  });

  it("searches tenant names (a part of the name), and the totals stay those of the window", async () => {
    const o = await json<Overview>(await harness().request("/api/overview?range=1h&q=ph", { as: "support" }));
    expect(names(o)).toEqual(["alpha"]);
    expect(o.tenantCount).toBe(1);
    expect(o.totals.requests).toBe(27);
    const none = await harness().request("/?range=1h&q=zzz", { as: "support" });
    expect(await none.text()).toContain("No tenant matching “zzz” has invocations in this window.");
    const bad = await harness().request("/api/overview?q=a'b", { as: "support" });
    expect(bad.status).toBe(400);
  });

  it("ranks tenants with too few requests after the others when sorting by error rate", async () => {
    const h = harness();
    // min=11: only beta has 11 requests, so it comes first although alpha's rate is higher.
    const strict = await json<Overview>(await h.request("/api/overview?range=1h&sort=error_rate&min=11", { as: "support" }));
    expect(names(strict)).toEqual(["beta", "alpha", "gamma", "~overflow"]);
    const all = await json<Overview>(await h.request("/api/overview?range=1h&sort=error_rate&min=0", { as: "support" }));
    expect(names(all)).toEqual(["alpha", "beta", "gamma", "~overflow"]);
    expect(h.sent[1]).toContain("ORDER BY requests >= 11 DESC, error_rate DESC");
    const page = await (await harness().request("/?range=1h&sort=error_rate", { as: "support" })).text();
    expect(page).toContain("fewer than 20 requests (greyed) are ranked after the others");
    expect(page).toContain('aria-sort="descending" class="num"><a href="/?range=1h&amp;sort=error_rate&amp;dir=asc"');
    expect(page).toContain('aria-sort="none"><a href="/?range=1h&amp;sort=tenant&amp;dir=desc"');
    expect(page).toContain('<tr class="thin"><td><a href="/tenants/alpha?range=1h">alpha</a>');
  });

  it("jumps to a tenant page from the search box, keeping the time window", async () => {
    const res = await harness().request("/tenants?q=Alpha&range=1h", { as: "support" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/tenants/alpha?range=1h");
    expect((await harness().request("/tenants?q=not%20a%20name", { as: "support" })).status).toBe(400);
  });
});

describe("unknown tenants", () => {
  it("answers a name with no invocations in three months and no assignment with a 404 that says so", async () => {
    const h = harness();
    const res = await h.request("/api/tenants/nobody?range=1h", { as: "support" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: 'No tenant "nobody": no invocations in the last three months and no assignment.' } });
    // The window's series and breakdown, then (nothing in the window: no error groups to ask
    // for) the one retention-wide check.
    expect(h.sent).toHaveLength(3);
    expect(h.sent[2]).toContain("index1 = 'nobody'");
    const page = await harness().request("/tenants/nobody", { as: "support" });
    expect(page.status).toBe(404);
    const text = await page.text();
    expect(text).toContain("No tenant &quot;nobody&quot;: no invocations in the last three months and no assignment.");
    expect(text).toContain('href="/?q=nobody"');
  });

  it("knows a tenant with an assignment but no traffic yet, without the extra query", async () => {
    await env.PLANS.put("tenant:newcomer", JSON.stringify({ plan: "pro" }));
    const h = harness();
    const res = await h.request("/api/tenants/newcomer?range=1h", { as: "support" });
    expect(res.status).toBe(200);
    // Series and breakdown; a window without requests has no error groups to ask for.
    expect(h.sent).toHaveLength(2);
  });

  it("knows a tenant whose invocations are older than the window", async () => {
    // gamma: invocations 30 minutes and 10 days ago, nothing in the last 15 minutes, no KV record.
    const h = harness();
    const res = await h.request("/api/tenants/gamma?range=15m", { as: "support" });
    expect(res.status).toBe(200);
    expect(h.sent).toHaveLength(3);
  });
});

describe("scoped readers", () => {
  it("land on their own tenant page, with the time window carried over", async () => {
    const res = await harness().request("/?range=1h", { as: "scopedSupport" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/tenants/alpha?range=1h");
    const operator = await harness().request("/", { as: "scopedOperator" });
    expect(operator.headers.get("location")).toBe("/tenants/gamma");
    // Billing cannot open tenant pages: its landing page is billing.
    const billing = await harness().request("/", { as: "scopedBilling" });
    expect(billing.headers.get("location")).toBe("/billing");
    // The JSON twin still answers (scripts read it), filtered to the tenant.
    const o = await json<Overview>(await harness().request("/api/overview?range=1h", { as: "scopedSupport" }));
    expect(names(o)).toEqual(["alpha"]);
  });

  it("see no jump box (they can open only their own tenant)", async () => {
    const page = await (await harness().request("/tenants/alpha?range=1h", { as: "scopedSupport" })).text();
    expect(page).not.toContain('id="jump-tenant"');
    const all = await (await harness().request("/tenants/alpha?range=1h", { as: "support" })).text();
    expect(all).toContain('<form method="get" action="/tenants" role="search"');
  });
});
