/**
 * The session cookie: `<payload>.<HMAC-SHA256>` over base64url JSON, keyed with the
 * SESSION_SECRET secret. It names the user and a prefix of their token's hash, never
 * the token; the role and scope are re-read from DASHBOARD_USERS on every request,
 * so changing or removing an entry takes effect at once.
 *
 * Signed by hand rather than with hono's setSignedCookie/getSignedCookie: hono writes
 * the signature in standard base64 and URI-encodes the value (`%2B`, `%3D` in the
 * cookie), where ours is base64url; switching would change the cookie's format (which
 * auth.test.ts pins) and sign out every current session. The HMAC itself is Web
 * Crypto's, verified with crypto.subtle.verify (constant time), as hono does.
 */
import { isRecord } from "@tenantscope/core/result";
import { base64url } from "jose";

// No "__Host-" prefix: over http://127.0.0.1 (local dev) browsers may refuse it even where they accept Secure.
export const SESSION_COOKIE = "tenantscope_session";

export interface SessionData {
  /** user name */
  u: string;
  /** tokenKeyId() of the token that signed in */
  k: string;
  /** expiry, seconds since the epoch */
  exp: number;
}

const encoder = new TextEncoder();
/**
 * Imported keys, kept once resolved. Not the pending promise: a request awaiting a
 * promise another request started is cross-request I/O in workerd, and hangs if
 * that request is cancelled first.
 */
const keys = new Map<string, CryptoKey>();

async function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached !== undefined) return cached;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  keys.set(secret, key);
  return key;
}

/** jose's base64url decoder throws on anything else; a cookie is untrusted input, so that is null here. */
function decoded(text: string): Uint8Array | null {
  try {
    return base64url.decode(text);
  } catch {
    return null;
  }
}

async function sign(secret: string, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(message));
  return base64url.encode(new Uint8Array(mac));
}

export async function signSession(secret: string, data: SessionData): Promise<string> {
  const payload = base64url.encode(JSON.stringify(data));
  return `${payload}.${await sign(secret, payload)}`;
}

/** The session if the signature holds (checked by HMAC verify, constant time) and it has not expired. */
export async function readSession(secret: string, value: string, nowSeconds: number): Promise<SessionData | null> {
  const [payload, mac, extra] = value.split(".");
  if (payload === undefined || mac === undefined || extra !== undefined) return null;
  const macBytes = decoded(mac);
  if (macBytes === null) return null;
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), macBytes, encoder.encode(payload));
  if (!valid) return null;
  const json = decoded(payload);
  if (json === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(json));
  } catch {
    return null;
  }
  if (!isRecord(data)) return null;
  const { u, k, exp } = data;
  if (typeof u !== "string" || typeof k !== "string" || typeof exp !== "number") return null;
  return exp > nowSeconds ? { u, k, exp } : null;
}

/**
 * The CSRF token of one signed-in identity: an HMAC of it under the session secret.
 * A cross-site page can neither read it nor compute it.
 */
export function csrfTokenFor(secret: string, identity: string): Promise<string> {
  return sign(secret, `csrf\n${identity}`);
}
