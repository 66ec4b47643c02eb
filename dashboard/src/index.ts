/**
 * tenantscope dashboard: per-tenant usage, errors, billing and plan limits over the
 * Analytics Engine SQL API, for support, billing and operators. The story:
 * headers → sign-in → who is asking → the pages (each with a JSON twin) → errors.
 */
import { Hono } from "hono";
import type { AppEnv, AppOptions } from "./app-env.ts";
import { authenticate } from "./auth/middleware.ts";
import { DashboardError, describeError, jsonError } from "./errors.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { billingRoutes } from "./routes/billing.ts";
import { errorRoutes } from "./routes/errors.ts";
import { loginRoutes } from "./routes/login.ts";
import { overviewRoutes } from "./routes/overview.ts";
import { plansRoutes } from "./routes/plans.ts";
import { tenantRoutes } from "./routes/tenant.ts";
import { errorPage } from "./views/error.ts";

export type { AppOptions };

/** Scripts only from our assets (chart data is inert JSON); no framing; forms post only here. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", async function securityHeaders(c, next) {
    c.set("options", options);
    const stats = { queries: 0, ms: 0, datasetMissing: false };
    c.set("sqlStats", stats);
    await next();
    // Round trips per page are a budget (at most 4): visible in DevTools and to the benchmark.
    if (stats.queries > 0) c.header("server-timing", `sql;dur=${stats.ms};desc="${stats.queries} round trips"`);
    c.header("content-security-policy", CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "same-origin");
    // Pages and APIs carry tenant data and per-user CSRF tokens: never cache them.
    c.header("cache-control", "no-store");
  });

  // Registered before `authenticate`, so they answer without a session.
  app.route("/", loginRoutes);
  app.use("*", authenticate());
  app.route("/", overviewRoutes);
  app.route("/", tenantRoutes);
  app.route("/", errorRoutes);
  app.route("/", billingRoutes);
  app.route("/", plansRoutes);
  app.route("/", alertRoutes);

  app.notFound(() => {
    throw new DashboardError("not_found", "There is no such page.");
  });
  app.onError((error, c) => {
    const known = describeError(error);
    if (c.req.path.startsWith("/api/")) return jsonError(c, known);
    return errorPage(c, known);
  });
  return app;
}

const app = createApp();

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
