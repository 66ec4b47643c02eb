/**
 * The static assets are served from the Worker's assets (before the Worker runs, so
 * read here through the ASSETS binding), and chart.js is the installed version.
 */
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { harness } from "./helpers.ts";

async function sha256Hex(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("assets and headers", () => {
  it("serves chart.js identical to node_modules (refresh with `pnpm --filter tenantscope-dashboard run assets`)", async () => {
    const res = await env.ASSETS.fetch("http://dash.test/static/chart.umd.min.js");
    expect(res.status).toBe(200);
    expect(await sha256Hex(await res.arrayBuffer())).toBe(inject("chartjsSha256"));
    const zoom = await env.ASSETS.fetch("http://dash.test/static/chartjs-plugin-zoom.min.js");
    expect(zoom.status).toBe(200);
    expect(await sha256Hex(await zoom.arrayBuffer())).toBe(inject("zoomSha256"));
  });

  it("serves the page script and stylesheet without a session", async () => {
    for (const path of ["/static/app.js", "/static/charts.js", "/static/theme.js", "/static/style.css"]) {
      const res = await env.ASSETS.fetch(`http://dash.test${path}`);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
  });

  it("sends pages with a CSP that allows scripts only from the dashboard, and no caching", async () => {
    const res = await harness().request("/login");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page).toContain('<script src="/static/chart.umd.min.js" defer></script>');
    expect(page).not.toMatch(/<script>(?!<)/);
  });

  it("answers unknown paths with a clear 404", async () => {
    const h = harness();
    const api = await h.request("/api/nope", { as: "support" });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: "not_found", message: "There is no such page." } });
    expect((await h.request("/nope", { as: "support" })).status).toBe(404);
  });
});
