/** The overview grouped by customer, over the billing month of fixtures.ts (acme owns delta and epsilon; zeta has no tag). */
import { describe, expect, it } from "vitest";
import type { Overview } from "../src/queries/overview.ts";
import { billingMonth } from "./fixtures.ts";
import { anchorMs, harness, json } from "./helpers.ts";

const window = (): string => {
  const { from, to } = billingMonth(anchorMs());
  const t = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + "Z";
  return `from=${t(from)}&to=${t(to)}`;
};

describe("overview by customer", () => {
  it("groups tenants under their customer, a tenant without a tag being its own, with sampling-corrected figures", async () => {
    const h = harness({ now: anchorMs });
    const o = await json<Overview>(await h.request(`/api/overview?${window()}&group=customer`, { as: "support" }));
    expect(o.customers?.rows).toEqual([
      // delta: 5 + 6, epsilon 11; errors: the folded exception (3) and the CPU violation (1).
      { customer: "acme", tenants: 2, requests: 22, errors: 4, violations: 1, cpuMsTotal: 136 },
      { customer: "zeta", tenants: 1, requests: 7, errors: 0, violations: 0, cpuMsTotal: 31 },
    ]);
    expect(h.sent).toHaveLength(3);
    expect(h.sent[2]).toContain("blob14 != 'dispatcher'");
    const page = await (await h.request(`/?${window()}&group=customer`, { as: "operator" })).text();
    expect(page).toContain('<table class="data" id="customers">');
    expect(page).toContain('<a href="/billing?customer=acme">acme</a>');
  });

  it("adds no query without group=customer, and refuses an unknown grouping", async () => {
    const h = harness({ now: anchorMs });
    const o = await json<Overview>(await h.request(`/api/overview?${window()}`, { as: "support" }));
    expect(o.customers).toBeNull();
    expect(h.sent).toHaveLength(2);
    expect((await h.request(`/api/overview?group=plan`, { as: "support" })).status).toBe(400);
  });
});
