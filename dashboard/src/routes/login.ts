/**
 * POST /login exchanges a token for a session cookie (HttpOnly, Secure, SameSite=Strict);
 * POST /logout ends it. The token is hashed and compared in constant time, and never
 * stored, logged or echoed.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app-env.ts";
import { authenticate, checkCsrf } from "../auth/middleware.ts";
import { SESSION_COOKIE, signSession } from "../auth/session.ts";
import { findByToken, tokenKeyId, usersOf } from "../auth/users.ts";
import { accessSettings, sessionSecret, sessionTtlSeconds } from "../config.ts";
import { DashboardError } from "../errors.ts";
import { loginPage } from "../views/login.ts";
import { nowMs } from "./shared.ts";

/** Only same-site paths: "/x" but not "//evil.example" or "/\\evil.example". */
function safeNext(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : "/";
}

function cookieOptions(maxAge: number): Parameters<typeof setCookie>[3] {
  // Secure even in local dev: browsers accept Secure cookies from http://localhost and 127.0.0.1.
  return { httpOnly: true, secure: true, sameSite: "Strict", path: "/", maxAge };
}

function fromOtherSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  return origin !== undefined && origin !== new URL(c.req.url).origin;
}

export const loginRoutes = new Hono<AppEnv>()
  .get("/login", (c) => c.html(loginPage(safeNext(c.req.query("next")), null, accessSettings(c.env) !== null)))
  .post("/login", async (c) => {
    // Login CSRF: another site must not sign a browser into an account of its choosing.
    if (fromOtherSite(c)) throw new DashboardError("csrf_failed", "Sign-in from another site was refused.");
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const token = typeof form.token === "string" ? form.token.trim() : "";
    const entry = token === "" ? null : await findByToken(usersOf(c.env.DASHBOARD_USERS), token);
    if (entry === null) return c.html(loginPage(next, "That token is not valid.", accessSettings(c.env) !== null), 401);
    const ttl = sessionTtlSeconds(c.env);
    const session = await signSession(sessionSecret(c.env), { u: entry.user, k: tokenKeyId(entry), exp: Math.floor(nowMs(c) / 1000) + ttl });
    setCookie(c, SESSION_COOKIE, session, cookieOptions(ttl));
    return c.redirect(next, 303);
  })
  .post("/logout", authenticate(), async (c) => {
    await checkCsrf(c);
    deleteCookie(c, SESSION_COOKIE, cookieOptions(0));
    return c.redirect("/login", 303);
  });
