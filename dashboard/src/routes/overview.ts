/**
 * GET / and GET /api/overview: the same data, as a page and as JSON. A reader scoped
 * to one tenant lands on that tenant's page instead (a one-row overview tells them
 * nothing); GET /tenants?q= is the jump box's way to a tenant page.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { mayOpen } from "../auth/users.ts";
import { allowQuery, parseDir, parseGroup, parseIntParam, parseSearch, parseSort, parseTenant } from "../params.ts";
import { SORT_KEYS, loadOverview, type Overview } from "../queries/overview.ts";
import { overviewPage } from "../views/overview.ts";
import { datasetEmpty, emptyState, nowMs, qs, sqlClient, tenantScope, TIME_PARAMS, windowOf } from "./shared.ts";

const MAX_ROWS = 1000;
const MAX_PAGE = 10_000;
/** Below this many requests in the window, an error rate says little (4 requests, 2 errors). */
export const DEFAULT_MIN_REQUESTS = 20;
const OVERVIEW_PARAMS = [...TIME_PARAMS, "sort", "dir", "limit", "page", "q", "min", "group"];

async function overview(c: Context<AppEnv>, w = windowOf(c)): Promise<Overview> {
  return loadOverview(sqlClient(c), {
    range: w.range,
    bucket: w.bucket,
    from: w.from,
    to: w.to,
    tenant: tenantScope(c.var.principal, null),
    sort: parseSort(c.req.query("sort"), SORT_KEYS, "requests"),
    dir: parseDir(c.req.query("dir")),
    limit: parseIntParam("limit", c.req.query("limit"), 1, MAX_ROWS, 100),
    page: parseIntParam("page", c.req.query("page"), 1, MAX_PAGE, 1),
    search: parseSearch(c.req.query("q")),
    minRequests: parseIntParam("min", c.req.query("min"), 0, 1_000_000_000, DEFAULT_MIN_REQUESTS),
    group: parseGroup(c.req.query("group")),
  });
}

/** The time parameters as given, to carry across a redirect. */
function timeQuery(c: Context<AppEnv>): Record<string, string | undefined> {
  return Object.fromEntries(TIME_PARAMS.map((k) => [k, c.req.query(k)]));
}

export const overviewRoutes = new Hono<AppEnv>()
  .use("/", requirePage("overview"), allowQuery(...OVERVIEW_PARAMS))
  .use("/api/overview", requirePage("overview"), allowQuery(...OVERVIEW_PARAMS))
  .use("/tenants", requirePage("tenant"), allowQuery("q", ...TIME_PARAMS))
  .get("/", async (c) => {
    const tenant = c.var.principal.tenant;
    if (tenant !== null) {
      // Checked here, so a bad window is a 400 on this URL rather than after the redirect.
      windowOf(c);
      return c.redirect(mayOpen(c.var.principal, "tenant") ? `/tenants/${tenant}${qs(timeQuery(c))}` : "/billing", 303);
    }
    const w = windowOf(c);
    const data = await overview(c, w);
    return c.html(overviewPage(data, c.var.principal, { window: w, asOfMs: nowMs(c), empty: emptyState(c), defaultMinRequests: DEFAULT_MIN_REQUESTS }));
  })
  .get("/api/overview", async (c) => c.json({ ...(await overview(c)), ...datasetEmpty(c) }))
  .get("/tenants", (c) => {
    const tenant = parseTenant(c.req.query("q")?.trim().toLowerCase());
    windowOf(c);
    return c.redirect(`/tenants/${tenant}${qs(timeQuery(c))}`, 303);
  });
