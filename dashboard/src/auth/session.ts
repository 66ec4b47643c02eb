/**
 * The session cookie: `<payload>.<HMAC-SHA256>` over base64url JSON, keyed with the
 * SESSION_SECRET secret. It names the user and a prefix of their token's hash, never
 * the token; the role and scope are re-read from DASHBOARD_USERS on every request,
 * so changing or removing an entry takes effect at once.
 */
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
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function sign(secret: string, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(message));
  return base64url(new Uint8Array(mac));
}

export async function signSession(secret: string, data: SessionData): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify(data)));
  return `${payload}.${await sign(secret, payload)}`;
}

/** The session if the signature holds (checked by HMAC verify, constant time) and it has not expired. */
export async function readSession(secret: string, value: string, nowSeconds: number): Promise<SessionData | null> {
  const [payload, mac, extra] = value.split(".");
  if (payload === undefined || mac === undefined || extra !== undefined) return null;
  const macBytes = fromBase64url(mac);
  if (macBytes === null) return null;
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), macBytes, encoder.encode(payload));
  if (!valid) return null;
  const json = fromBase64url(payload);
  if (json === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(json));
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const { u, k, exp } = data as Record<string, unknown>;
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

/** Constant-time comparison of two tokens of ours. */
export function sameToken(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  // timingSafeEqual needs equal lengths; comparing x with itself keeps the time the same.
  return x.length === y.length ? crypto.subtle.timingSafeEqual(x, y) : !crypto.subtle.timingSafeEqual(x, x);
}
