/**
 * Cloudflare Access JWTs: verified against the team's JWKS (served by a fake fetch
 * here, with a key pair made in the test), issuer, audience and expiry, then mapped
 * to a dashboard role by e-mail. The tokens are signed with jose, as Access signs them
 * (RS256, a key id in the header).
 */
import { exportJWK, SignJWT } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { resetAccessKeyCache } from "../src/auth/access.ts";
import { harness, json } from "./helpers.ts";
import { USERS } from "./secrets.ts";

const TEAM = "acme.cloudflareaccess.com";
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const ENV = {
  ACCESS_TEAM_DOMAIN: TEAM,
  ACCESS_AUD: AUD,
  DASHBOARD_USERS: JSON.stringify([...USERS, { user: "ann", role: "billing", email: "Ann@Example.com" }]),
} satisfies Partial<Env>;

let keys: CryptoKeyPair;
let jwksFetches = 0;

function jwt(claims: Record<string, unknown>, signWith: CryptoKey = keys.privateKey, kid = "k1"): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(signWith);
}

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: `https://${TEAM}`, aud: [AUD], email: "ann@example.com", iat: now, exp: now + 600, ...extra };
}

/** The team's JWKS endpoint, serving the test's public key as k1. */
const accessFetch: typeof fetch = async (input) => {
  jwksFetches++;
  expect(new Request(input).url).toBe(`https://${TEAM}/cdn-cgi/access/certs`);
  const jwk = await exportJWK(keys.publicKey);
  return Response.json({ keys: [{ ...jwk, kid: "k1", alg: "RS256" }] });
};

beforeEach(async () => {
  resetAccessKeyCache();
  jwksFetches = 0;
  keys = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
});

describe("Cloudflare Access", () => {
  it("accepts a valid Access JWT and applies the role mapped to its e-mail", async () => {
    const h = harness({ accessFetch }, ENV);
    const headers = { "cf-access-jwt-assertion": await jwt(valid()) };
    expect((await h.request("/api/billing", { headers })).status).toBe(200);
    expect((await h.request("/api/plans", { headers })).status).toBe(403);
    // The keys are cached: one JWKS fetch for both requests.
    expect(jwksFetches).toBe(1);
  });

  it("refuses a wrong audience, another issuer, an expired token, a forged signature and an unknown key", async () => {
    const h = harness({ accessFetch }, ENV);
    const other = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const cases: [string, RegExp][] = [
      [await jwt(valid({ aud: ["someone-else"] })), /another application/],
      [await jwt(valid({ iss: "https://evil.cloudflareaccess.com" })), /another issuer/],
      [await jwt(valid({ exp: Math.floor(Date.now() / 1000) - 3600 })), /expired/],
      [await jwt(valid(), other.privateKey), /bad JWT signature/],
      [await jwt(valid(), keys.privateKey, "k9"), /unknown key/],
      ["not.a.jwt", /unreadable JWT|not a JWT/],
    ];
    for (const [token, reason] of cases) {
      const res = await h.request("/api/overview", { headers: { "cf-access-jwt-assertion": token } });
      expect(res.status).toBe(401);
      expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(reason);
    }
  });

  it("answers 403 for a valid identity without a dashboard role, and ignores the header when Access is off", async () => {
    const h = harness({ accessFetch }, ENV);
    const res = await h.request("/api/overview", { headers: { "cf-access-jwt-assertion": await jwt(valid({ email: "mallory@example.com" })) } });
    expect(res.status).toBe(403);
    const off = harness({ accessFetch }, { DASHBOARD_USERS: ENV.DASHBOARD_USERS });
    expect((await off.request("/api/overview", { headers: { "cf-access-jwt-assertion": await jwt(valid()) } })).status).toBe(401);
    expect(jwksFetches).toBe(1);
  });

  it("requires the CSRF token for changes by an Access identity (its cookie is ambient too)", async () => {
    const h = harness({ accessFetch }, { ...ENV, DASHBOARD_USERS: JSON.stringify([{ user: "ops", role: "operator", email: "ann@example.com" }]) });
    const headers = { "cf-access-jwt-assertion": await jwt(valid()), origin: "http://dash.test" };
    expect((await h.request("/api/plans/access-test", { method: "PUT", headers, body: '{"cpuMs":5,"subRequests":5}' })).status).toBe(403);
    const page = await (await h.request("/plans?range=1h", { headers })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const res = await h.request("/api/plans/access-test", { method: "PUT", headers: { ...headers, "x-csrf-token": csrf }, body: '{"cpuMs":5,"subRequests":5}' });
    expect(res.status).toBe(200);
  });
});
