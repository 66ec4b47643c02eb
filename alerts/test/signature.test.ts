/** The delivery signature (core/alert-signature.ts) as a receiver checks it. */
import { describe, expect, it } from "vitest";
import { signDelivery, verifyDelivery } from "@tenantscope/core/alert-signature";

const SECRET = "0123456789abcdef-secret";
const BODY = '{"event":"test","tenant":"hello"}';
const NOW = 1_796_126_400;

describe("the delivery signature", () => {
  it("is HMAC-SHA256 over `${t}.${body}` in hex, as the header documents", async () => {
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${NOW}.${BODY}`)));
    const hex = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(await signDelivery(SECRET, BODY, NOW + 0.9)).toBe(`t=${NOW},v1=${hex}`);
  });

  it("verifies when one of several v1 parts matches (a secret being rotated)", async () => {
    const good = await signDelivery(SECRET, BODY, NOW);
    const other = await signDelivery("the-previous-secret", BODY, NOW);
    const header = `${other},${good.split(",")[1] ?? ""}`;
    expect(await verifyDelivery(SECRET, header, BODY, NOW)).toEqual({ ok: true, value: NOW });
  });

  it("names what is wrong with a header", async () => {
    const good = await signDelivery(SECRET, BODY, NOW);
    expect(await verifyDelivery(SECRET, null, BODY, NOW)).toMatchObject({ ok: false, reason: "missing" });
    expect(await verifyDelivery(SECRET, "v1=abc", BODY, NOW)).toMatchObject({ ok: false, reason: "malformed" });
    expect(await verifyDelivery(SECRET, `t=${NOW}`, BODY, NOW)).toMatchObject({ ok: false, reason: "malformed" });
    expect(await verifyDelivery(SECRET, good, BODY, NOW + 301)).toMatchObject({ ok: false, reason: "expired" });
    expect(await verifyDelivery(SECRET, good, BODY, NOW - 301)).toMatchObject({ ok: false, reason: "expired" });
    expect(await verifyDelivery(SECRET, good, BODY, NOW + 300)).toMatchObject({ ok: true });
    expect(await verifyDelivery(SECRET, good.replace(/t=\d+/, `t=${NOW + 1}`), BODY, NOW)).toMatchObject({ ok: false, reason: "mismatch" });
  });
});
