/**
 * Test harness: the dashboard app built with `createApp` (so the SQL it sends can be
 * captured), called with the real bindings from the production config (local KV, where
 * the audit log lives too) plus the local AE URL from the global setup.
 */
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { createApp, type AppOptions } from "../src/index.ts";
import { TOKENS, type TestUser } from "./secrets.ts";

export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;
export const anchorMs = (): number => inject("anchorMs");

export interface Harness {
  /** Every SQL text the dashboard sent, in order. */
  sent: string[];
  request(path: string, init?: RequestInit & { as?: TestUser; cookie?: string }): Promise<Response>;
}

/** `envOverrides` replace bindings of the generated Env: an unknown name or a wrong type does not compile. */
export function harness(options: AppOptions = {}, envOverrides: Partial<Env> = {}): Harness {
  const sent: string[] = [];
  const app = createApp({
    ...options,
    sql: { ...options.sql, onQuery: (sql) => sent.push(sql) },
  });
  const testEnv = { ...env, ...envOverrides } satisfies Env;
  return {
    sent,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.as !== undefined) headers.set("authorization", `Bearer ${TOKENS[init.as]}`);
      if (init.cookie !== undefined) headers.set("cookie", init.cookie);
      const { as: _as, cookie: _cookie, ...rest } = init;
      return Promise.resolve(app.request(`http://dash.test${path}`, { ...rest, headers }, testEnv));
    },
  };
}

export async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
}

/** Signs in through the form and returns the cookie and the page's CSRF token. */
export async function login(h: Harness, user: TestUser): Promise<{ cookie: string; csrf: string }> {
  const res = await h.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
    body: new URLSearchParams({ token: TOKENS[user], next: "/" }).toString(),
  });
  if (res.status !== 303) throw new Error(`login as ${user} failed: ${res.status}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  // A reader scoped to one tenant is sent on to their tenant page (or billing).
  const landing = await h.request("/", { cookie });
  const page = landing.status === 303 ? await h.request(landing.headers.get("location") ?? "/", { cookie }) : landing;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (csrf === undefined) throw new Error("no CSRF token on the landing page");
  return { cookie, csrf };
}

/** The day (UTC) of a time, as the billing period parameters take it. */
export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
