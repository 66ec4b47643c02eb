/**
 * Who is asking, and may they. `authenticate` accepts, in order: an API bearer token,
 * a Cloudflare Access JWT (when configured), the session cookie. `requirePage` checks
 * the role; `requireWrite` checks the operator role and, for cookie or Access
 * identities (ambient credentials a cross-site form could ride on), the CSRF token
 * and the Origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../app-env.ts";
import { accessSettings, sessionSecret } from "../config.ts";
import { DashboardError } from "../errors.ts";
import { ACCESS_HEADER, verifyAccessJwt } from "./access.ts";
import { sameSecret } from "@tenantscope/core/compare";
import { SESSION_COOKIE, csrfTokenFor, readSession } from "./session.ts";
import { findByEmail, findByToken, mayOpen, tokenKeyId, usersOf, type Page, type Principal, type UserEntry } from "./users.ts";

export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";

function unauthorized(message: string): DashboardError {
  return new DashboardError("unauthorized", message);
}

function principalOf(entry: UserEntry, via: Principal["via"], csrf: string | null): Principal {
  return { user: entry.user, role: entry.role, tenant: entry.tenant, via, csrf };
}

async function identify(c: Context<AppEnv>): Promise<Principal | null> {
  const env = c.env;
  const users = usersOf(env.DASHBOARD_USERS);
  const now = (c.var.options.now ?? Date.now)();
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    // Not hono's bearerAuth: that is a gate with its own answers (400 for a malformed
    // header, plain-text 401s), where a bearer here is one of three optional
    // credentials, selects a user entry, and fails with our DashboardError.
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const entry = match?.[1] === undefined ? null : await findByToken(users, match[1]);
    if (entry === null) throw unauthorized("The bearer token is not valid.");
    return principalOf(entry, "bearer", null);
  }
  const access = accessSettings(env);
  const jwt = c.req.header(ACCESS_HEADER);
  if (access !== null && jwt !== undefined) {
    const result = await verifyAccessJwt(jwt, access, c.var.options.accessFetch ?? fetch, now);
    if (!result.ok) throw unauthorized(`The Cloudflare Access token was refused: ${result.reason}.`);
    const entry = findByEmail(users, result.email);
    if (entry === null) throw new DashboardError("forbidden", `${result.email} is signed in through Cloudflare Access but has no dashboard role.`);
    return principalOf(entry, "access", await csrfTokenFor(sessionSecret(env), `access:${entry.user}`));
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie === undefined) return null;
  const secret = sessionSecret(env);
  const session = await readSession(secret, cookie, Math.floor(now / 1000));
  if (session === null) return null;
  // Role and scope come from the current config; a removed user or rotated token ends the session.
  const entry = users.find((u) => u.user === session.u && tokenKeyId(u) === session.k);
  return entry === undefined ? null : principalOf(entry, "session", await csrfTokenFor(secret, cookie));
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateReader(c, next) {
    const principal = await identify(c);
    if (principal === null) {
      if (c.req.path.startsWith("/api/")) throw unauthorized("Sign in first: send a bearer token, or log in at /login.");
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    c.set("principal", principal);
    await next();
  };
}

export function requirePage(page: Page): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    const principal = c.var.principal;
    if (!mayOpen(principal, page)) {
      throw new DashboardError("forbidden", `The ${principal.role} role cannot open the ${page} page.`);
    }
    await next();
  };
}

/**
 * The Origin (or, lacking it, Sec-Fetch-Site) must say the request comes from our own
 * pages. Not hono/csrf: that checks only form content types and answers with its own
 * 403, where this guards every change by an ambient identity, JSON calls included.
 */
function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) return origin === new URL(c.req.url).origin;
  const site = c.req.header("sec-fetch-site");
  return site === undefined || site === "same-origin" || site === "none";
}

async function presentedCsrf(c: Context<AppEnv>): Promise<string | null> {
  const header = c.req.header(CSRF_HEADER);
  if (header !== undefined) return header;
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const field = (await c.req.parseBody())[CSRF_FIELD];
    return typeof field === "string" ? field : null;
  }
  return null;
}

/** Checks Origin and token for a state change by an ambient (cookie or Access) identity. */
export async function checkCsrf(c: Context<AppEnv>): Promise<void> {
  const expected = c.var.principal.csrf;
  if (expected === null) return;
  if (!sameOrigin(c)) throw new DashboardError("csrf_failed", "This change came from another site and was refused (Origin check).");
  const presented = await presentedCsrf(c);
  if (presented === null || !(await sameSecret(presented, expected))) {
    throw new DashboardError("csrf_failed", "This change was refused: the form's CSRF token is missing or stale. Reload the page and try again.");
  }
}

export function requireWrite(): MiddlewareHandler<AppEnv> {
  return async function requireOperatorWrite(c, next) {
    if (c.var.principal.role !== "operator") {
      throw new DashboardError("forbidden", `Only operators can change plans; you are signed in as ${c.var.principal.role}.`);
    }
    await checkCsrf(c);
    await next();
  };
}
