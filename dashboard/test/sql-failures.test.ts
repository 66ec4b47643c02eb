/**
 * The SQL API failing: every failure becomes a clear message on the page (HTML, with
 * the reader's navigation) and in the API (JSON error), never a bare 500 and never the
 * API token. A fake upstream stands in for the API here; the rest of the suite uses the
 * real local one.
 */
import { describe, expect, it } from "vitest";
import { SqlClient, retryAfterMs } from "../src/sql/client.ts";
import { harness, json } from "./helpers.ts";

const SECRET_TOKEN = "super-secret-api-token-do-not-leak";

type Upstream = (attempt: number, request: Request) => Response | Promise<Response>;

function failing(upstream: Upstream): { h: ReturnType<typeof harness>; attempts: () => number; sleeps: number[] } {
  let attempts = 0;
  const sleeps: number[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    expect(request.headers.get("authorization")).toBe(`Bearer ${SECRET_TOKEN}`);
    return upstream(attempts++, request);
  };
  const h = harness(
    { fetch: fakeFetch, sql: { sleep: async (ms) => void sleeps.push(ms) } },
    { CF_API_TOKEN: SECRET_TOKEN, AE_SQL_URL: "https://api.cloudflare.com/client/v4/accounts/{account}/analytics_engine/sql" },
  );
  return { h, attempts: () => attempts, sleeps };
}

const GOOD = JSON.stringify({
  meta: [{ name: "tenant", type: "String" }, { name: "invocations", type: "UInt64" }, { name: "cpu_ms", type: "Float64" }, { name: "wall_ms", type: "Float64" }],
  data: [{ tenant: "big", invocations: "9007199254740991", cpu_ms: 1.5, wall_ms: 2 }],
  rows: 1,
});

async function expectClear(res: Response, status: number, message: RegExp): Promise<void> {
  const text = await res.text();
  expect(res.status).toBe(status);
  expect(text).toMatch(message);
  expect(text).not.toContain(SECRET_TOKEN);
}

describe("SQL API failures", () => {
  it("shows a 500 from the API as a clear message on the page and in the API", async () => {
    const { h } = failing(() => new Response("Internal error: shard unavailable", { status: 500 }));
    const page = await h.request("/billing", { as: "billing" });
    expect(page.headers.get("content-type")).toContain("text/html");
    await expectClear(page.clone(), 502, /The Analytics Engine SQL API failed \(HTTP 500\)\. Try again in a moment\./);
    // The upstream's own words stay in the log: they could echo the query.
    expect(await page.text()).not.toContain("shard unavailable");
    const api = await h.request("/api/billing", { as: "billing" });
    expect(api.headers.get("content-type")).toContain("application/json");
    const body = await json<{ error: { code: string; message: string } }>(api.clone());
    expect(body.error.code).toBe("sql_failed");
    await expectClear(api, 502, /HTTP 500/);
  });

  it("retries a 429 after Retry-After, a bounded number of times, then reports the rate limit", async () => {
    const recovers = failing((n) => (n < 2 ? new Response("slow down", { status: 429, headers: { "retry-after": "1" } }) : new Response(GOOD)));
    const ok = await recovers.h.request("/api/billing", { as: "billing" });
    expect(ok.status).toBe(200);
    expect(recovers.attempts()).toBe(3);
    expect(recovers.sleeps).toEqual([1000, 1000]);

    const stuck = failing(() => new Response("slow down", { status: 429, headers: { "retry-after": "2" } }));
    const res = await stuck.h.request("/api/billing", { as: "billing" });
    expect(stuck.attempts()).toBe(3);
    expect(res.headers.get("retry-after")).toBe("2");
    await expectClear(res, 503, /rate limiting this account \(HTTP 429 after 3 attempts\)\. Try again in 2 s\./);

    // A Retry-After longer than we are willing to wait is reported at once.
    const long = failing(() => new Response("", { status: 429, headers: { "retry-after": "120" } }));
    await expectClear(await long.h.request("/billing", { as: "billing" }), 503, /Try again in 120 s\./);
    expect(long.attempts()).toBe(1);
  });

  it("reports malformed JSON, a missing data field, and a non-number in a numeric column", async () => {
    for (const [body, message] of [
      ["{not json", /malformed JSON \(logged on the server\)/],
      ['{"meta": []}', /without the expected &quot;meta&quot; and &quot;data&quot; fields|without the expected "meta" and "data" fields/],
      [JSON.stringify({ meta: [{ name: "invocations", type: "UInt64" }], data: [{ invocations: "lots" }] }), /non-number for numeric column/],
    ] as const) {
      const { h } = failing(() => new Response(body, { status: 200 }));
      await expectClear(await h.request("/billing", { as: "billing" }), 502, message);
    }
  });

  it("reports an unreachable API and refused credentials", async () => {
    const down = failing(() => {
      throw new TypeError("connect ECONNREFUSED");
    });
    await expectClear(await down.h.request("/api/overview", { as: "support" }), 502, /could not be reached/);
    const denied = failing(() => new Response("Authentication error", { status: 403 }));
    await expectClear(await denied.h.request("/", { as: "support" }), 502, /refused the credentials \(HTTP 403\).*CF_API_TOKEN/);
  });

  it("reads 64-bit integers that arrive as strings as numbers", async () => {
    const { h } = failing(() => new Response(GOOD));
    const body = await json<{ rows: { invocations: number }[] }>(await h.request("/api/billing", { as: "billing" }));
    expect(body.rows[0]?.invocations).toBe(9007199254740991);
  });

  it("names a missing secret instead of failing blindly", async () => {
    const h = harness({}, { CF_API_TOKEN: "" });
    await expectClear(await h.request("/api/overview", { as: "support" }), 500, /misconfigured: secret CF_API_TOKEN is not set/);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBe(1000);
    expect(new SqlClient({ url: "https://x", token: "t" })).toBeInstanceOf(SqlClient);
  });
});
