/**
 * The webhook signature (core/alerts.ts SIGNATURE_HEADER): `t=<unix seconds>,v1=<hex>`,
 * the hex being HMAC-SHA256(secret, `${t}.${body}`). The evaluator signs each attempt;
 * receivers (the local inbox, a platform's own endpoint) verify with this same module
 * or the few lines in alerts/README.md. The timestamp is signed so that a captured
 * delivery cannot be replayed later than the tolerance.
 */
import { fail, ok, type Result } from "./result.ts";

const encoder = new TextEncoder();

/** How old (or how far ahead) a signature's time may be when it is checked. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The header value for `body` signed at `unixSeconds`. */
export async function signDelivery(secret: string, body: string, unixSeconds: number): Promise<string> {
  const t = Math.floor(unixSeconds);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${hex(mac)}`;
}

export type SignatureInvalid = "missing" | "malformed" | "expired" | "mismatch";

/**
 * Checks a signature header against the body as received (its exact bytes decoded as
 * UTF-8): answers the signed time. Several `v1=` parts are allowed (a receiver may see
 * one per secret while a secret is being rotated); one matching is enough.
 */
export async function verifyDelivery(secret: string, header: string | null, body: string, nowSeconds: number, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): Promise<Result<number, SignatureInvalid>> {
  if (header === null || header.trim() === "") return fail("missing", "no signature header");
  let t: number | null = null;
  const macs: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=", 2);
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === "v1") {
      const mac = unhex(value);
      if (mac === null || mac.byteLength !== 32) return fail("malformed", "v1 must be 64 hex digits");
      macs.push(mac);
    }
  }
  if (t === null || macs.length === 0) return fail("malformed", "the header must read t=<unix seconds>,v1=<hex>");
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return fail("expired", `signed at ${t}, more than ${toleranceSeconds} s from now`);
  const key = await hmacKey(secret, "verify");
  const data = encoder.encode(`${t}.${body}`);
  for (const mac of macs) {
    if (await crypto.subtle.verify("HMAC", key, mac, data)) return ok(t);
  }
  return fail("mismatch", "no v1 signature matches the body under this secret");
}
