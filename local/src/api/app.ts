/**
 * The local Cloudflare API: the routes the real API has (behind a bearer token,
 * in Cloudflare's envelope), plus a few local-only helpers under /_local.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { sameSecret } from "@tenantscope/core/compare";
import { HTTPException } from "hono/http-exception";
import { ApiError, codes, failure } from "./envelope.ts";
import { kv } from "./kv.ts";
import { namespaces } from "./routes.ts";
import { inboxRoutes } from "./inbox.ts";
import { invoke } from "./invoke.ts";
import { runtime } from "./runtime.ts";
import { viaOutbound } from "../runtime/outbound.ts";
import { telemetry } from "./telemetry.ts";

export const app = new Hono<{ Bindings: Env }>();

app.get("/_local/echo", (c) => c.text(`echo ${c.req.method} ${new URL(c.req.url).search}`));

const bearerAuth: MiddlewareHandler<{ Bindings: Env }> = async function bearerAuth(c, next) {
  const header = c.req.header("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  // An unset token must not mean "no token needed": fail closed.
  if (c.env.API_TOKEN === "" || !(await sameSecret(token, c.env.API_TOKEN))) {
    throw new ApiError(401, codes.authentication, "Authentication error: send Authorization: Bearer <token> (the local config's API_TOKEN)");
  }
  await next();
};
app.use("/client/v4/*", bearerAuth);
app.use("/_local/runtime/*", bearerAuth);
app.use("/_local/invoke/*", bearerAuth);
// Listing and emptying the webhook inbox; deliveries to /_local/inbox/:webhook carry a signature instead.
app.use("/_local/inbox", bearerAuth);

app.route("/client/v4/accounts/:account/workers/dispatch/namespaces", namespaces);
/**
 * The local API has dispatch-namespace scripts only. Wrangler checks the account-level
 * script of the same name before a dispatch deploy (its secrets and settings), and
 * takes 10007 as "there is none".
 */
app.all("/client/v4/accounts/:account/workers/scripts/:script/*", () => {
  throw new ApiError(404, codes.scriptNotFound, "This Worker does not exist on your account. (The local API serves Workers in dispatch namespaces only.)");
});
app.route("/_local/runtime", runtime);
app.route("/_local/invoke", invoke);
app.route("/_local/inbox", inboxRoutes);
// Tenants' subrequests through a namespace's Outbound Worker (PLATFORM_PATHS.outbound); its own token check.
app.all("/_local/outbound/:service", (c) => viaOutbound(c.env, c.req.param("service"), c.req.raw));
app.route("/client/v4/accounts/:account/storage/kv/namespaces", kv);
app.route("/client/v4/accounts/:account/workers/observability/telemetry", telemetry);
// The AE is its own Worker (local/ae); it answers these paths itself, 404s included.
app.all("/client/v4/accounts/:account/analytics_engine/*", (c) => c.env.AE.fetch(c.req.raw));

app.notFound((c) => c.json(failure([{ code: codes.notFound, message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` }]), 404));

app.onError((error, c) => {
  if (error instanceof ApiError) return c.json(failure([{ code: error.code, message: error.message }]), error.status, error.headers);
  if (error instanceof HTTPException) return c.json(failure([{ code: codes.badRequest, message: error.message }]), error.status);
  console.error("tenantscope-local: internal error", error);
  return c.json(failure([{ code: codes.internal, message: "Internal error in the local API" }]), 500);
});
