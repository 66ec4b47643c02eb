/**
 * Cloudflare Access as an alternative to tokens. Access puts a signed JWT in the
 * `Cf-Access-Jwt-Assertion` header of every request it lets through; we verify it
 * ourselves (RS256 against the team's JWKS at /cdn-cgi/access/certs, issuer, audience
 * tag, expiry) rather than trusting that Access sits in front, so a request that
 * reaches the Worker by another route cannot claim an identity.
 */
import { isRecord } from "@tenantscope/core/result";
import type { AccessSettings } from "../config.ts";
import { fromBase64url } from "./session.ts";

export const ACCESS_HEADER = "cf-access-jwt-assertion";

/** Keys are re-fetched after this, or sooner when a token names an unknown key id. */
const JWKS_TTL_MS = 10 * 60_000;
/** An unknown kid triggers at most one refetch per this interval (no refetch storms). */
const JWKS_REFETCH_MIN_MS = 30_000;
const CLOCK_SKEW_S = 60;

interface CachedKeys {
  fetchedAt: number;
  keys: Map<string, CryptoKey>;
}

const cache = new Map<string, CachedKeys>();

export function resetAccessKeyCache(): void {
  cache.clear();
}

async function fetchKeys(team: string, doFetch: typeof fetch): Promise<Map<string, CryptoKey>> {
  const res = await doFetch(`https://${team}/cdn-cgi/access/certs`);
  if (!res.ok) throw new Error(`Access JWKS answered HTTP ${res.status}`);
  const body: unknown = await res.json();
  const keys = new Map<string, CryptoKey>();
  if (!isRecord(body) || !Array.isArray(body.keys)) throw new Error("Access JWKS has no keys");
  for (const jwk of body.keys) {
    if (!isRecord(jwk) || typeof jwk.kid !== "string" || jwk.kty !== "RSA") continue;
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "RSA", n: String(jwk.n), e: String(jwk.e), alg: "RS256", ext: true },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    keys.set(jwk.kid, key);
  }
  return keys;
}

async function keyFor(kid: string, team: string, doFetch: typeof fetch, now: number): Promise<CryptoKey | null> {
  let entry = cache.get(team);
  const stale = entry === undefined || now - entry.fetchedAt > JWKS_TTL_MS;
  const unknownKid = entry !== undefined && !entry.keys.has(kid) && now - entry.fetchedAt > JWKS_REFETCH_MIN_MS;
  if (stale || unknownKid) {
    entry = { fetchedAt: now, keys: await fetchKeys(team, doFetch) };
    cache.set(team, entry);
  }
  return entry?.keys.get(kid) ?? null;
}

function jsonPart(part: string): Record<string, unknown> | null {
  const bytes = fromBase64url(part);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export type AccessResult = { ok: true; email: string } | { ok: false; reason: string };

/** Verifies an Access JWT; the reason on failure is for logs and the 401 page (it holds no secret). */
export async function verifyAccessJwt(token: string, settings: AccessSettings, doFetch: typeof fetch, nowMs: number): Promise<AccessResult> {
  const parts = token.split(".");
  const [h, p, s] = parts;
  if (parts.length !== 3 || h === undefined || p === undefined || s === undefined) return { ok: false, reason: "not a JWT" };
  const header = jsonPart(h);
  const claims = jsonPart(p);
  const signature = fromBase64url(s);
  if (header === null || claims === null || signature === null) return { ok: false, reason: "unreadable JWT" };
  if (header.alg !== "RS256" || typeof header.kid !== "string") return { ok: false, reason: "JWT is not RS256 with a key id" };
  let key: CryptoKey | null;
  try {
    key = await keyFor(header.kid, settings.teamDomain, doFetch, nowMs);
  } catch (error) {
    return { ok: false, reason: `cannot read the Access signing keys (${error instanceof Error ? error.message : "error"})` };
  }
  if (key === null) return { ok: false, reason: "JWT signed by an unknown key" };
  const signed = new TextEncoder().encode(`${h}.${p}`);
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, signed))) return { ok: false, reason: "bad JWT signature" };
  const now = Math.floor(nowMs / 1000);
  if (claims.iss !== `https://${settings.teamDomain}`) return { ok: false, reason: "JWT from another issuer" };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(settings.aud)) return { ok: false, reason: "JWT for another application (aud)" };
  if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_S < now) return { ok: false, reason: "JWT expired" };
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_S > now) return { ok: false, reason: "JWT not yet valid" };
  if (typeof claims.email !== "string" || claims.email === "") return { ok: false, reason: "JWT has no email (service tokens are not mapped to roles)" };
  return { ok: true, email: claims.email };
}
