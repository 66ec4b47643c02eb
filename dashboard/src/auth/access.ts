/**
 * Cloudflare Access as an alternative to tokens. Access puts a signed JWT in the
 * `Cf-Access-Jwt-Assertion` header of every request it lets through; we verify it
 * ourselves rather than trusting that Access sits in front, so a request that reaches
 * the Worker by another route cannot claim an identity. Verification is jose's, as in
 * Cloudflare's own Workers example: the team's JWKS at /cdn-cgi/access/certs
 * (createRemoteJWKSet), then signature, issuer, audience tag and expiry (jwtVerify).
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type RemoteJWKSet } from "jose";
import type { AccessSettings } from "../config.ts";

export const ACCESS_HEADER = "cf-access-jwt-assertion";

/** Keys are re-fetched after this, or sooner when a token names an unknown key id. */
const JWKS_TTL_MS = 10 * 60_000;
/** An unknown kid triggers at most one refetch per this interval (no refetch storms). */
const JWKS_REFETCH_MIN_MS = 30_000;
const CLOCK_SKEW_S = 60;

/**
 * One key set per team, kept for the isolate's life so requests share the fetched keys
 * (jose caches inside the set). Rebuilt when a test hands in another fetch.
 */
const keySets = new Map<string, { doFetch: typeof fetch; jwks: RemoteJWKSet }>();

export function resetAccessKeyCache(): void {
  keySets.clear();
}

function keySetFor(team: string, doFetch: typeof fetch): RemoteJWKSet {
  const cached = keySets.get(team);
  if (cached !== undefined && cached.doFetch === doFetch) return cached.jwks;
  const jwks = createRemoteJWKSet(new URL(`https://${team}/cdn-cgi/access/certs`), {
    cacheMaxAge: JWKS_TTL_MS,
    cooldownDuration: JWKS_REFETCH_MIN_MS,
    [customFetch]: (url, init) => doFetch(url, init),
  });
  keySets.set(team, { doFetch, jwks });
  return jwks;
}

export type AccessResult = { ok: true; email: string } | { ok: false; reason: string };

/** jose's failure → the reason we show; it names the check that failed, never a value. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "JWT expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "JWT from another issuer";
    if (error.claim === "aud") return "JWT for another application (aud)";
    if (error.claim === "nbf") return "JWT not yet valid";
    if (error.claim === "exp") return "JWT expired (or without an expiry)";
    return `JWT claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "JWT is not RS256 with a key id";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad JWT signature";
  if (error instanceof errors.JWKSNoMatchingKey) return "JWT signed by an unknown key";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "unreadable JWT";
  // What is left is reading the key set: the fetch failed, timed out, or answered no JWKS.
  return `cannot read the Access signing keys (${error instanceof Error ? error.message : "error"})`;
}

/** Verifies an Access JWT; the reason on failure is for logs and the 401 page (it holds no secret). */
export async function verifyAccessJwt(token: string, settings: AccessSettings, doFetch: typeof fetch, nowMs: number): Promise<AccessResult> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: "not a JWT" };
  }
  // Access always names its key; jose alone would try a lone key for a token without one.
  if (typeof kid !== "string") return { ok: false, reason: "JWT is not RS256 with a key id" };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keySetFor(settings.teamDomain, doFetch), {
      algorithms: ["RS256"],
      issuer: `https://${settings.teamDomain}`,
      audience: settings.aud,
      requiredClaims: ["exp"],
      clockTolerance: CLOCK_SKEW_S,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
  if (typeof payload.email !== "string" || payload.email === "") return { ok: false, reason: "JWT has no email (service tokens are not mapped to roles)" };
  return { ok: true, email: payload.email };
}
