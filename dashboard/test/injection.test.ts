/**
 * SQL injection through every parameter a reader controls: each attempt is refused
 * with 400 (or 403/404), and the payload never appears in any SQL sent. The SQL of
 * valid requests is captured too, to show that only validated values reach it.
 */
import { describe, expect, it } from "vitest";
import { lit } from "../src/sql/build.ts";
import { harness } from "./helpers.ts";

const PAYLOADS = ["x' OR '1'='1", "1; DROP TABLE tenant_invocations", "1) UNION SELECT blob9 FROM tenant_invocations --", "desc, (SELECT 1)", "%27%20OR%201=1"];

/** Every readable parameter, with where the payload goes. */
const TARGETS: ((p: string) => string)[] = [
  (p) => `/api/overview?range=${encodeURIComponent(p)}`,
  (p) => `/api/overview?range=1h&bucket=${encodeURIComponent(p)}`,
  (p) => `/api/overview?sort=${encodeURIComponent(p)}`,
  (p) => `/api/overview?dir=${encodeURIComponent(p)}`,
  (p) => `/api/overview?limit=${encodeURIComponent(p)}`,
  (p) => `/api/tenants/${encodeURIComponent(p)}`,
  (p) => `/api/tenants/alpha?range=${encodeURIComponent(p)}`,
  (p) => `/api/billing?month=${encodeURIComponent(p)}`,
  (p) => `/api/billing?from=${encodeURIComponent(p)}&to=2026-01-01`,
  (p) => `/api/billing?from=2026-01-01&to=${encodeURIComponent(p)}`,
  (p) => `/api/plans?whatif=${encodeURIComponent(p)}&cpuMs=5`,
  (p) => `/api/plans?whatif=free&cpuMs=${encodeURIComponent(p)}`,
  (p) => `/api/plans?whatif=free&subRequests=${encodeURIComponent(p)}`,
  (p) => `/api/audit?limit=${encodeURIComponent(p)}`,
  (p) => `/tenants/${encodeURIComponent(p)}`,
  (p) => `/?range=${encodeURIComponent(p)}`,
];

function leaked(sent: string[], payload: string): boolean {
  const core = ["OR '1'='1", "DROP TABLE", "UNION", "(SELECT 1)", "OR 1=1", "%27"];
  return sent.some((sql) => sql.includes(payload) || core.some((c) => payload.includes(c) && sql.includes(c)));
}

describe("SQL injection", () => {
  it("refuses a payload in every query parameter and path, and sends no SQL for it", async () => {
    for (const target of TARGETS) {
      for (const payload of PAYLOADS) {
        const h = harness();
        const path = target(payload);
        const res = await h.request(path, { as: "operator" });
        expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
        expect(leaked(h.sent, payload), path).toBe(false);
      }
    }
  });

  it("refuses payloads in the edit routes' paths and bodies", async () => {
    for (const payload of PAYLOADS) {
      const h = harness();
      const put = (path: string, body: unknown): Promise<Response> => h.request(path, { method: "PUT", as: "operator", body: JSON.stringify(body) });
      expect((await put(`/api/plans/${encodeURIComponent(payload)}`, { cpuMs: 5, subRequests: 5 })).status).toBe(400);
      expect((await put("/api/plans/free", { cpuMs: payload, subRequests: 5 })).status).toBe(400);
      expect((await put(`/api/tenants/${encodeURIComponent(payload)}/assignment`, { plan: "free" })).status).toBe(400);
      expect((await put("/api/tenants/alpha/assignment", { plan: payload })).status).toBe(400);
      expect(h.sent).toEqual([]);
    }
  });

  it("puts only validated values into the SQL of valid requests", async () => {
    const h = harness();
    await h.request("/api/overview?range=24h&bucket=1h&sort=cpu_ms_p95&dir=asc&limit=7", { as: "operator" });
    await h.request("/api/tenants/alpha?range=7d", { as: "operator" });
    await h.request("/api/plans?whatif=pro&cpuMs=25&subRequests=50", { as: "operator" });
    await h.request(`/api/billing?month=${new Date().toISOString().slice(0, 7)}&customer=alpha`, { as: "operator" });
    await h.request("/api/errors?range=24h&tenant=alpha", { as: "operator" });
    await h.request("/api/errors/0123456789abcdef?range=24h", { as: "operator" });
    // Plans: 3 for the statistics and what-if, 1 for this month's margins.
    expect(h.sent.length).toBe(2 + 4 + 4 + 1 + 3 + 1);
    // Every quoted literal is a time, a validated name, or one of our constants.
    const literals = new Set(h.sent.flatMap((sql) => [...sql.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? "")));
    for (const value of literals) expect(value).toMatch(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\d+|alpha|ok|\(mixed\)|cpu|memory|subrequests|dispatcher|0123456789abcdef|)$/);
    expect(h.sent[0]).toContain("INTERVAL '1' HOUR");
    expect(h.sent[1]).toContain("ORDER BY cpu_ms_p95 ASC, tenant ASC LIMIT 7");
  });

  it("has a last line of defence: a literal outside the safe set throws instead of being quoted", () => {
    expect(() => lit("a'b")).toThrow("refusing to put an unvalidated value into SQL");
    expect(() => lit("a\\b")).toThrow("refusing to put an unvalidated value into SQL");
    expect(lit("alpha")).toBe("'alpha'");
  });
});
