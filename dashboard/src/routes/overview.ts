/** GET / and GET /api/overview: the same data, as a page and as JSON. */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requirePage } from "../auth/middleware.ts";
import { parseDir, parseIntParam, parseSort } from "../params.ts";
import { SORT_KEYS, loadOverview, type Overview } from "../queries/overview.ts";
import { overviewPage } from "../views/overview.ts";
import { sqlClient, tenantScope, windowOf } from "./shared.ts";

const MAX_ROWS = 1000;

async function overview(c: Context<AppEnv>): Promise<Overview> {
  const w = windowOf(c);
  return loadOverview(sqlClient(c), {
    ...w,
    tenant: tenantScope(c.var.principal, null),
    sort: parseSort(c.req.query("sort"), SORT_KEYS, "requests"),
    dir: parseDir(c.req.query("dir")),
    limit: parseIntParam("limit", c.req.query("limit"), 1, MAX_ROWS, 100),
  });
}

export const overviewRoutes = new Hono<AppEnv>()
  .use("/", requirePage("overview"))
  .use("/api/overview", requirePage("overview"))
  .get("/", async (c) => c.html(overviewPage(await overview(c), c.var.principal)))
  .get("/api/overview", async (c) => c.json(await overview(c)));
