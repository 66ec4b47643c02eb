/** `tenantscope alert inbox` against a scripted stand-in answer (the inbox itself: local/test/inbox.test.ts, and the e2e loop). */
import { describe, expect, it } from "vitest";
import type { FetchLike } from "../src/api.ts";
import type { InboxEntry } from "../src/commands/alert-inbox.ts";
import { cli } from "./helpers.ts";

const API = "http://127.0.0.1:9999";
const env = { TENANTSCOPE_API_URL: API };

function entry(seq: number, over: Partial<InboxEntry> = {}): InboxEntry {
  const body = JSON.stringify({ event: "firing", rule: { id: "errors" }, tenant: "thrower", value: 0.4231, threshold: 0.2 });
  return { seq, receivedAt: `2026-12-01T12:00:0${seq}.000Z`, webhook: "local-inbox", delivery: `d-${seq}`, signature: "t=1,v1=00", verified: true, reason: null, event: "firing", rule: "errors", tenant: "thrower", body, ...over };
}

/** Answers each GET /_local/inbox from the script, recording the URLs asked. */
function inbox(pages: InboxEntry[][]): { fetch: FetchLike; urls: string[] } {
  const urls: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    urls.push(url);
    expect(new Headers(init.headers).get("authorization")).toBe("Bearer local");
    const result = pages.length > 1 ? pages.shift() : pages[0];
    return Response.json({ success: true, errors: [], messages: [], result: result ?? [] });
  };
  return { fetch, urls };
}

describe("alert inbox", () => {
  it("lists deliveries with their signature check, from the stand-in's /_local/inbox", async () => {
    const { fetch, urls } = inbox([[entry(2), entry(1, { verified: false, reason: "mismatch: no v1 signature matches", event: null, rule: null, tenant: null, body: "{}" })]]);
    const res = await cli({ env, fetch }, "alert", "inbox", "--webhook", "local-inbox", "--limit", "5");
    expect(res.code, res.err).toBe(0);
    expect(urls).toEqual([`${API}/_local/inbox?limit=5&webhook=local-inbox`]);
    const lines = res.out.split("\n");
    expect(lines[0]).toMatch(/^RECEIVED \(UTC\)\s+WEBHOOK\s+EVENT\s+RULE\s+TENANT\s+VALUE \/ THRESHOLD\s+SIGNATURE\s+DELIVERY$/);
    expect(lines[1]).toMatch(/^2026-12-01T12:00:02.000Z\s+local-inbox\s+firing\s+errors\s+thrower\s+0.4231 \/ 0.2\s+valid\s+d-2$/);
    expect(lines[2]).toMatch(/\s+-\s+-\s+-\s+-\s+INVALID \(mismatch\)\s+d-1$/);
  });

  it("says so when the inbox is empty, and prints JSON with --json", async () => {
    expect((await cli({ env, fetch: inbox([[]]).fetch }, "alert", "inbox")).out).toMatch(/the inbox is empty/);
    const json = await cli({ env, fetch: inbox([[entry(1)]]).fetch }, "alert", "inbox", "--json");
    expect(JSON.parse(json.out)).toEqual([entry(1)]);
  });

  it("--wait prints the next delivery that arrives, and fails when none does", async () => {
    const { fetch, urls } = inbox([[entry(3)], [], [entry(4)]]);
    const res = await cli({ env, fetch }, "alert", "inbox", "--wait", "10", "--json");
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toEqual(entry(4));
    expect(urls.slice(1).every((u) => u.includes("after=3"))).toBe(true);
    const none = await cli({ env, fetch: inbox([[entry(3)], []]).fetch }, "alert", "inbox", "--wait", "1");
    expect(none).toMatchObject({ code: 1, err: "error: no delivery arrived within 1 s" });
  });

  it("is local only, and refuses --follow with --wait", async () => {
    const cloud = await cli({ env: { CLOUDFLARE_ACCOUNT_ID: "a", CLOUDFLARE_API_TOKEN: "t" }, fetch: inbox([[]]).fetch }, "alert", "inbox");
    expect(cloud.code).toBe(1);
    expect(cloud.err).toMatch(/part of the local stack/);
    expect((await cli({ env, fetch: inbox([[]]).fetch }, "alert", "inbox", "--follow", "--wait", "3")).code).toBe(2);
  });
});
