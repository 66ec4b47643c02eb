/** The local webhook inbox (src/api/inbox.ts): signatures checked under the KV webhook's secret, every delivery kept. */
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DELIVERY_HEADER, SIGNATURE_HEADER, alertKeys, webhookRecord } from "@tenantscope/core/alerts";
import { signDelivery } from "@tenantscope/core/alert-signature";
import type { InboxEntry as Entry } from "@tenantscope/core/alert-state";
import { TOKEN, type Envelope } from "./helpers.ts";

const BASE = "http://api.local/_local/inbox";
const SECRET = "inbox-secret-0123456789";

async function deliver(webhook: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: Envelope }> {
  const res = await exports.default.fetch(new Request(`${BASE}/${webhook}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
  return { status: res.status, body: (await res.json()) as Envelope };
}

async function list(query = "", token: string | null = TOKEN): Promise<{ status: number; body: Envelope<Entry[]> }> {
  const res = await exports.default.fetch(new Request(`${BASE}${query}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } }));
  return { status: res.status, body: (await res.json()) as Envelope<Entry[]> };
}

const notification = JSON.stringify({ event: "firing", rule: { id: "errors", name: "Errors", condition: "error_rate" }, tenant: "thrower", value: 0.5, threshold: 0.1 });

beforeEach(async () => {
  await env.PLANS.put(alertKeys.webhook("local-inbox"), webhookRecord({ id: "local-inbox", url: "http://127.0.0.1:8789/_local/inbox/local-inbox", format: "json", secret: SECRET }));
  await exports.default.fetch(new Request(BASE, { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } }));
});

describe("the local webhook inbox", () => {
  it("accepts a delivery signed with the webhook's secret and lists it with its facts", async () => {
    const signature = await signDelivery(SECRET, notification, Date.now() / 1000);
    const answer = await deliver("local-inbox", notification, { [SIGNATURE_HEADER]: signature, [DELIVERY_HEADER]: "d-1" });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ verified: true });
    const listed = await list();
    expect(listed.status).toBe(200);
    expect(listed.body.result).toEqual([expect.objectContaining({ webhook: "local-inbox", delivery: "d-1", signature, verified: true, reason: null, event: "firing", rule: "errors", tenant: "thrower", body: notification })]);
  });

  it("keeps a delivery with a wrong, stale or missing signature as unverified, and answers 401", async () => {
    const now = Date.now() / 1000;
    const cases: { headers: Record<string, string>; reason: string }[] = [
      { headers: { [SIGNATURE_HEADER]: await signDelivery("not-the-secret-at-all", notification, now) }, reason: "mismatch" },
      { headers: { [SIGNATURE_HEADER]: await signDelivery(SECRET, notification, now - 3600) }, reason: "expired" },
      { headers: {}, reason: "missing" },
    ];
    for (const c of cases) {
      const answer = await deliver("local-inbox", notification, c.headers);
      expect(answer.status).toBe(401);
      expect(answer.body.errors[0]?.message).toContain(c.reason);
    }
    const listed = await list();
    expect(listed.body.result.map((e) => [e.verified, e.reason?.split(":")[0]])).toEqual([[false, "missing"], [false, "expired"], [false, "mismatch"]]);
  });

  it("keeps a delivery to a webhook that is not in KV, answering 404", async () => {
    const answer = await deliver("nobody", "plain text", {});
    expect(answer.status).toBe(404);
    const listed = await list("?webhook=nobody");
    expect(listed.body.result).toEqual([expect.objectContaining({ webhook: "nobody", verified: false, event: null, body: "plain text" })]);
    expect(listed.body.result[0]?.reason).toContain('no webhook "nobody"');
  });

  it("pages with after= and filters by webhook", async () => {
    const now = Date.now() / 1000;
    for (const tenant of ["a", "b", "c"]) {
      const body = JSON.stringify({ event: "test", tenant });
      await deliver("local-inbox", body, { [SIGNATURE_HEADER]: await signDelivery(SECRET, body, now) });
    }
    await deliver("other", "x", {});
    const all = await list("?webhook=local-inbox");
    expect(all.body.result.map((e) => e.tenant)).toEqual(["c", "b", "a"]);
    const oldest = all.body.result.at(-1)?.seq ?? 0;
    expect((await list(`?webhook=local-inbox&after=${oldest}`)).body.result.map((e) => e.tenant)).toEqual(["c", "b"]);
    expect((await list("?limit=1")).body.result.map((e) => e.webhook)).toEqual(["other"]);
  });

  it("refuses bad requests clearly", async () => {
    expect((await list("", null)).status).toBe(401);
    expect((await list("?limit=0")).status).toBe(400);
    expect((await list("?webhook=Bad_Id")).status).toBe(400);
    expect((await deliver("Bad_Id", "{}", {})).status).toBe(400);
    const big = await deliver("local-inbox", "x".repeat((1 << 20) + 1), {});
    expect(big.status).toBe(413);
    expect((await list()).body.result).toEqual([]);
    const del = await exports.default.fetch(new Request(BASE, { method: "DELETE" }));
    expect(del.status).toBe(401);
  });
});
