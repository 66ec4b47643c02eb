/** Roles, tenant scoping (server-side, in the SQL), sessions and CSRF. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256 } from "@tenantscope/core/compare";
import { toHex } from "../src/auth/users.ts";
import type { Billing } from "../src/queries/billing.ts";
import type { Overview } from "../src/queries/overview.ts";
import { harness, json, login } from "./helpers.ts";
import { TOKENS, USERS, type TestUser } from "./secrets.ts";

const PAGES = ["/", "/tenants/alpha", "/billing", "/plans", "/api/overview", "/api/tenants/alpha", "/api/billing", "/api/billing.csv", "/api/plans", "/api/audit"];

const ALLOWED: Record<"support" | "billing" | "operator", string[]> = {
  support: ["/", "/tenants/alpha", "/api/overview", "/api/tenants/alpha"],
  billing: ["/", "/billing", "/api/overview", "/api/billing", "/api/billing.csv"],
  operator: PAGES,
};

describe("credentials", () => {
  it("keeps only SHA-256 hashes of the tokens in the users secret", async () => {
    const hashes = await Promise.all(Object.values(TOKENS).map(async (t) => toHex(await sha256(t))));
    expect(USERS.map((u) => u.tokenSha256).sort()).toEqual(hashes.sort());
    // The users the Worker is bound with (.dev.vars) are these, so the tokens above sign in.
    expect(JSON.parse(env.DASHBOARD_USERS)).toEqual(USERS);
  });

  it("signs in with a token: HttpOnly, Secure, SameSite=Strict session cookie, no token in it", async () => {
    const h = harness();
    const res = await h.request("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
      body: new URLSearchParams({ token: TOKENS.billing, next: "/billing" }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/billing");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^tenantscope_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKENS.billing);
  });

  it("refuses a wrong token, a login from another site, and an open redirect", async () => {
    const h = harness();
    const form = (token: string, next: string, origin = "http://dash.test"): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ token, next }).toString(),
    });
    const wrong = await h.request("/login", form("nope", "/"));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That token is not valid.");
    expect((await h.request("/login", form(TOKENS.support, "/", "https://evil.example"))).status).toBe(403);
    const redirect = await h.request("/login", form(TOKENS.support, "//evil.example/x"));
    expect(redirect.headers.get("location")).toBe("/");
  });

  it("sends pages to the login and answers the API with 401 when nobody is signed in", async () => {
    const h = harness();
    const page = await h.request("/billing?month=2026-01");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fbilling%3Fmonth%3D2026-01");
    const api = await h.request("/api/overview");
    expect(api.status).toBe(401);
    expect((await json<{ error: { code: string } }>(api)).error.code).toBe("unauthorized");
    expect((await h.request("/api/overview", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await h.request("/login")).status).toBe(200);
  });

  it("ends a session whose cookie was tampered with, expired, or whose token was rotated", async () => {
    const h = harness();
    const { cookie } = await login(h, "support");
    expect((await h.request("/", { cookie })).status).toBe(200);
    // Flip a character in the middle: the last one of a base64url signature may carry only
    // padding bits, so changing it can leave the decoded bytes (and the session) intact.
    const mid = Math.floor(cookie.length / 2);
    const tampered = `${cookie.slice(0, mid)}${cookie[mid] === "A" ? "B" : "A"}${cookie.slice(mid + 1)}`;
    expect((await h.request("/", { cookie: tampered })).status).toBe(303);
    const later = harness({ now: () => Date.now() + 13 * 3600_000 });
    expect((await later.request("/", { cookie })).status).toBe(303);
    const rotated = harness({}, { DASHBOARD_USERS: JSON.stringify(USERS.map((u) => (u.user === "sam" ? { ...u, tokenSha256: "0".repeat(64) } : u))) });
    expect((await rotated.request("/", { cookie })).status).toBe(303);
  });
});

describe("roles", () => {
  for (const role of ["support", "billing", "operator"] as const) {
    it(`${role} opens exactly its pages`, async () => {
      const h = harness();
      for (const path of PAGES) {
        // The short range keeps the SQL cheap; billing pages take a period instead, the audit log no time.
        const res = await h.request(path.includes("billing") || path.includes("audit") ? path : `${path}?range=1h`, { as: role });
        expect(res.status, `${role} ${path}`).toBe(ALLOWED[role].includes(path) ? 200 : 403);
      }
    });
  }
});

describe("tenant scoping", () => {
  const scoped: [TestUser, string][] = [
    ["scopedSupport", "alpha"],
    ["scopedBilling", "beta"],
    ["scopedOperator", "gamma"],
  ];

  it("filters every query in SQL to the reader's tenant", async () => {
    for (const [user, tenant] of scoped) {
      const h = harness();
      const o = await json<Overview>(await h.request("/api/overview?range=30d", { as: user }));
      expect(o.tenants.map((t) => t.tenant)).toEqual([tenant]);
      expect(h.sent.length).toBeGreaterThan(0);
      for (const sql of h.sent) expect(sql).toContain(`index1 = '${tenant}'`);
    }
    const h = harness();
    const b = await json<Billing>(await h.request("/api/billing", { as: "scopedBilling" }));
    expect(b.filter.tenant).toBe("beta");
    expect(b.rows.map((r) => r.tenant)).toEqual(["beta"]);
    expect(h.sent[0]).toContain("index1 = 'beta'");
    const plans = harness();
    await plans.request("/api/plans", { as: "scopedOperator" });
    for (const sql of plans.sent) expect(sql).toContain("index1 = 'gamma'");
  });

  it("answers 403 for another tenant, without sending SQL", async () => {
    const h = harness();
    const res = await h.request("/api/tenants/beta", { as: "scopedSupport" });
    expect(res.status).toBe(403);
    expect((await json<{ error: { message: string } }>(res)).error.message).toBe('You can only see tenant "alpha".');
    expect((await h.request("/tenants/beta", { as: "scopedSupport" })).status).toBe(403);
    expect(h.sent).toEqual([]);
    expect((await h.request("/api/tenants/alpha?range=1h", { as: "scopedSupport" })).status).toBe(200);
  });

  it("lets a scoped operator change only their tenant's assignment, never a shared plan", async () => {
    const h = harness();
    const put = (path: string, body: unknown): Promise<Response> => h.request(path, { method: "PUT", as: "scopedOperator", body: JSON.stringify(body) });
    expect((await put("/api/plans/free", { cpuMs: 5, subRequests: 5 })).status).toBe(403);
    expect((await put("/api/tenants/alpha/assignment", { plan: "pro" })).status).toBe(403);
    expect((await put("/api/tenants/gamma/assignment", { plan: "pro" })).status).toBe(200);
  });
});

describe("CSRF", () => {
  it("requires the operator role for every change", async () => {
    const h = harness();
    for (const user of ["support", "billing"] as const) {
      const res = await h.request("/api/plans/free", { method: "PUT", as: user, body: JSON.stringify({ cpuMs: 5, subRequests: 5 }) });
      expect(res.status).toBe(403);
    }
  });

  it("refuses a cookie-authenticated change without the token, with a wrong one, or from another origin", async () => {
    const h = harness();
    const { cookie, csrf } = await login(h, "operator");
    const body = JSON.stringify({ cpuMs: 33, subRequests: 44 });
    const put = (headers: Record<string, string>): Promise<Response> => h.request("/api/plans/csrf-test", { method: "PUT", cookie, headers, body });
    const missing = await put({ origin: "http://dash.test" });
    expect(missing.status).toBe(403);
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe("csrf_failed");
    expect((await put({ origin: "http://dash.test", "x-csrf-token": `${csrf}x` })).status).toBe(403);
    expect((await put({ origin: "https://evil.example", "x-csrf-token": csrf })).status).toBe(403);
    expect((await put({ "sec-fetch-site": "cross-site", "x-csrf-token": csrf })).status).toBe(403);
    const form = await h.request("/plans/csrf-test", {
      method: "POST",
      cookie,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
      body: new URLSearchParams({ cpuMs: "33", subRequests: "44" }).toString(),
    });
    expect(form.status).toBe(403);
    expect((await put({ origin: "http://dash.test", "x-csrf-token": csrf })).status).toBe(200);
  });

  it("does not accept one user's CSRF token for another's session", async () => {
    const h = harness();
    const a = await login(h, "operator");
    const b = await login(h, "scopedOperator");
    const res = await h.request("/api/tenants/gamma/assignment", { method: "PUT", cookie: b.cookie, headers: { "x-csrf-token": a.csrf }, body: '{"plan":"free"}' });
    expect(res.status).toBe(403);
  });

  it("logs out only with the token", async () => {
    const h = harness();
    const { cookie, csrf } = await login(h, "support");
    const headers = { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" };
    expect((await h.request("/logout", { method: "POST", cookie, headers, body: "" })).status).toBe(403);
    const out = await h.request("/logout", { method: "POST", cookie, headers, body: new URLSearchParams({ _csrf: csrf }).toString() });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/^tenantscope_session=; Max-Age=0;/);
  });
});
