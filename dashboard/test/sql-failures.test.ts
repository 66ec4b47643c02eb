/**
 * The SQL API failing: every failure becomes a clear message on the page (HTML, with
 * the reader's navigation) and in the API (JSON error), never a bare 500 and never the
 * API token. A fake upstream stands in for the API here; the rest of the suite uses the
 * real local one. What the upstream said goes to the server log instead: every test
 * captures console.error and names exactly the lines it expects, so nothing else is
 * printed, and a log line no test expects fails.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { SqlClient, retryAfterMs } from "@tenantscope/core/sql-client";
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
  meta: [
    { name: "tenant", type: "String" }, { name: "customer", type: "String" }, { name: "plan", type: "String" }, { name: "invocations", type: "UInt64" },
    { name: "ok", type: "UInt64" }, { name: "failed", type: "UInt64" }, { name: "cpu_ms", type: "Float64" }, { name: "wall_ms", type: "Float64" },
    { name: "first_seen", type: "DateTime" }, { name: "last_seen", type: "DateTime" },
  ],
  data: [{ tenant: "big", customer: "", plan: "free", invocations: "9007199254740991", ok: "9007199254740991", failed: "0", cpu_ms: 1.5, wall_ms: 2, first_seen: "2026-12-01 00:00:00", last_seen: "2026-12-01 00:00:00" }],
  rows: 1,
});

/** What the reader was shown, to compare with `clear()`. */
async function shown(res: Response): Promise<{ status: number; text: string; showsToken: boolean }> {
  const text = await res.text();
  return { status: res.status, text, showsToken: text.includes(SECRET_TOKEN) };
}

/** A clear failure: this status, a text matching `message`, and never the API token. */
function clear(status: number, message: RegExp): { status: number; text: string; showsToken: boolean } {
  return { status, text: expect.stringMatching(message), showsToken: false };
}

/** The server log line of an upstream answer (core/src/sql-client.ts `logged`). */
const logLine = (what: string): string[] => [`tenantscope-dashboard: SQL API answered ${what}`];

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  consoleError.mockRestore();
});

describe("SQL API failures", () => {
  it("shows a 500 from the API as a clear message on the page and in the API", async () => {
    const { h } = failing(() => new Response("Internal error: shard unavailable", { status: 500 }));
    const page = await h.request("/billing", { as: "billing" });
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await shown(page.clone())).toEqual(clear(502, /The Analytics Engine SQL API failed \(HTTP 500\)\. Try again in a moment\./));
    // The upstream's own words stay in the log: they could echo the query.
    expect(await page.text()).not.toContain("shard unavailable");
    const api = await h.request("/api/billing", { as: "billing" });
    expect(api.headers.get("content-type")).toContain("application/json");
    const body = await json<{ error: { code: string; message: string } }>(api.clone());
    expect(body.error.code).toBe("sql_failed");
    expect(await shown(api)).toEqual(clear(502, /HTTP 500/));
    expect(consoleError.mock.calls).toEqual([logLine("HTTP 500: Internal error: shard unavailable"), logLine("HTTP 500: Internal error: shard unavailable")]);
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
    expect(await shown(res)).toEqual(clear(503, /rate limiting this account \(HTTP 429 after 3 attempts\)\. Try again in 2 s\./));

    // A Retry-After longer than we are willing to wait is reported at once.
    const long = failing(() => new Response("", { status: 429, headers: { "retry-after": "120" } }));
    expect(await shown(await long.h.request("/billing", { as: "billing" }))).toEqual(clear(503, /Try again in 120 s\./));
    expect(long.attempts()).toBe(1);
    // A rate limit is an expected answer, not a fault: nothing is logged.
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("reports malformed JSON, a missing data field, and a non-number in a numeric column", async () => {
    for (const [body, message] of [
      ["{not json", /malformed JSON \(logged on the server\)/],
      ['{"meta": []}', /without the expected &quot;meta&quot; and &quot;data&quot; fields|without the expected "meta" and "data" fields/],
      [JSON.stringify({ meta: [{ name: "invocations", type: "UInt64" }], data: [{ invocations: "lots" }] }), /non-number for numeric column/],
    ] as const) {
      const { h } = failing(() => new Response(body, { status: 200 }));
      expect(await shown(await h.request("/billing", { as: "billing" }))).toEqual(clear(502, message));
    }
    // Only the unparsable body is logged; the other two name their problem on the page.
    expect(consoleError.mock.calls).toEqual([logLine("malformed JSON: {not json")]);
  });

  it("reports an unreachable API and refused credentials", async () => {
    const down = failing(() => {
      throw new TypeError("connect ECONNREFUSED");
    });
    expect(await shown(await down.h.request("/api/overview", { as: "support" }))).toEqual(clear(502, /could not be reached/));
    expect(consoleError).not.toHaveBeenCalled();
    const denied = failing(() => new Response("Authentication error", { status: 403 }));
    expect(await shown(await denied.h.request("/", { as: "support" }))).toEqual(clear(502, /refused the credentials \(HTTP 403\).*CF_API_TOKEN/));
    // The overview page sends its two queries at once and answers on the first refusal,
    // so the second may be logged a moment after the answer: wait for it.
    await vi.waitFor(() => expect(consoleError.mock.calls).toEqual([logLine("HTTP 403: Authentication error"), logLine("HTTP 403: Authentication error")]));
  });

  it("reports an answer whose body stalls past the timeout as a timeout, not as a bug", async () => {
    // Headers arrive, the body never ends: the abort of the timeout errors the body read.
    const stalled: typeof fetch = async (_input, init) => {
      const signal = init?.signal;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"meta":'));
          signal?.addEventListener("abort", () => controller.error(signal.reason));
        },
      });
      return new Response(body);
    };
    const client = new SqlClient({ url: "https://sql.test/", token: SECRET_TOKEN, fetch: stalled, timeoutMs: 50 });
    await expect(client.query("SELECT 1")).rejects.toMatchObject({ code: "sql_failed", message: "The Analytics Engine SQL API timed out. Try again in a moment." });
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("reads 64-bit integers that arrive as strings as numbers", async () => {
    const { h } = failing(() => new Response(GOOD));
    const body = await json<{ rows: { invocations: number }[] }>(await h.request("/api/billing", { as: "billing" }));
    expect(body.rows[0]?.invocations).toBe(9007199254740991);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("names a missing secret instead of failing blindly", async () => {
    const h = harness({}, { CF_API_TOKEN: "" });
    expect(await shown(await h.request("/api/overview", { as: "support" }))).toEqual(clear(500, /misconfigured: secret CF_API_TOKEN is not set/));
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBe(1000);
    expect(new SqlClient({ url: "https://x", token: "t" })).toBeInstanceOf(SqlClient);
  });
});
