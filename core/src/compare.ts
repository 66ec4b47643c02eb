/**
 * The one constant-time comparison of secrets (the dashboard's API and CSRF tokens,
 * the local API's bearer token): workerd's crypto.subtle.timingSafeEqual over SHA-256 digests. Digests
 * give both sides the same length, so the timing says nothing about a secret's
 * length or content. (Signatures are checked with crypto.subtle.verify, and Access
 * JWTs by jose: neither compares bytes in our code.)
 */
const encoder = new TextEncoder();

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Two SHA-256 digests; anything that is not 32 bytes long is never equal. */
export function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === 32 && b.byteLength === 32 && crypto.subtle.timingSafeEqual(a, b);
}

export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  return equalDigests(x, y);
}
