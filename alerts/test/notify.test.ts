/**
 * The notify module over a real Durable Object's SQLite (runInDurableObject), with a
 * recording fetch and explicit times: signatures, bodies, backoff, giving up, leases.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DELIVERY_HEADER, SIGNATURE_HEADER, type AlertNotification, type Webhook } from "@tenantscope/core/alerts";
import { verifyDelivery } from "@tenantscope/core/alert-signature";
import { KEPT_DELIVERIES, attemptDue, enqueue, initDeliveries, listDeliveries, renderBody, summaryLine, valueText, type Fetcher, type RetryPolicy } from "../src/notify/index.ts";

const T0 = Date.parse("2026-12-01T12:00:00Z");
const SECRET = "s3cret-s3cret-s3cret";
const hook: Webhook = { id: "ops", url: "https://hooks.example.com/in?token=tok-in-query", format: "json", secret: SECRET };
const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 30_000, maxDelayMs: 600_000, timeoutMs: 2_000 };

const notification: AlertNotification = {
  event: "firing",
  rule: { id: "errors", name: "Error rate <5 %>", condition: "error_rate" },
  scope: { kind: "all" },
  tenant: "thrower",
  value: 0.42,
  threshold: 0.05,
  window: { from: "2026-12-01T11:55:00.000Z", to: "2026-12-01T12:00:00.000Z" },
  since: "2026-12-01T12:00:00.000Z",
  at: "2026-12-01T12:00:00.000Z",
  links: { tenant: "https://dash.example.com/tenants/thrower", alerts: "https://dash.example.com/alerts" },
};

interface Sent {
  url: string;
  headers: Headers;
  body: string;
}

/** A fetch that records each request and answers from a script (a status, or an error to throw). */
function scripted(answers: (number | Error | Response)[]): { fetch: Fetcher; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: Fetcher = async (url, init) => {
    sent.push({ url, headers: new Headers(init.headers), body: typeof init.body === "string" ? init.body : "" });
    const next = answers.shift() ?? 200;
    if (next instanceof Error) throw next;
    if (next instanceof Response) return next;
    return new Response([101, 204, 205, 304].includes(next) ? null : "receiver says hi", { status: next });
  };
  return { fetch, sent };
}

/** Runs `fn` against a fresh Durable Object's SQL storage. */
async function withSql<R>(fn: (sql: SqlStorage) => Promise<R>): Promise<R> {
  const stub = env.STATE.get(env.STATE.idFromName(crypto.randomUUID()));
  return runInDurableObject(stub, async (_instance, state) => {
    initDeliveries(state.storage.sql);
    return fn(state.storage.sql);
  });
}

const lookup = (h: Webhook | null) => (id: string) => (h !== null && h.id === id ? h : null);

describe("a delivery", () => {
  it("POSTs the notification as JSON with a signature the receiver can verify", async () => {
    await withSql(async (sql) => {
      const queued = enqueue(sql, hook, notification, T0);
      const { fetch, sent } = scripted([204]);
      const next = await attemptDue(sql, lookup(hook), T0, fetch, policy);
      expect(listDeliveries(sql, 1)[0]?.lastError).toBeNull();
      expect(next).toBeNull();
      expect(sent).toHaveLength(1);
      const [req] = sent;
      expect(req?.url).toBe(hook.url);
      expect(JSON.parse(req?.body ?? "")).toEqual(notification);
      expect(req?.headers.get(DELIVERY_HEADER)).toBe(queued.id);
      expect(req?.headers.get("content-type")).toBe("application/json");
      const signature = req?.headers.get(SIGNATURE_HEADER) ?? null;
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const checked = await verifyDelivery(SECRET, signature, req?.body ?? "", T0 / 1000 + 10);
      expect(checked).toEqual({ ok: true, value: T0 / 1000 });
      // The same header does not verify another body, another secret, or an hour later.
      expect((await verifyDelivery(SECRET, signature, `${req?.body ?? ""} `, T0 / 1000)).ok).toBe(false);
      expect((await verifyDelivery("another-secret-here", signature, req?.body ?? "", T0 / 1000)).ok).toBe(false);
      expect(await verifyDelivery(SECRET, signature, req?.body ?? "", T0 / 1000 + 3600)).toMatchObject({ ok: false, reason: "expired" });
      const [logged] = listDeliveries(sql, 10);
      expect(logged).toMatchObject({ id: queued.id, status: "delivered", attempts: 1, lastStatus: 204, lastError: null, nextAttemptAt: null, event: "firing", rule: "errors", tenant: "thrower" });
    });
  });

  it("sends a Slack-compatible body to a slack webhook, escaped for mrkdwn, with the links", async () => {
    await withSql(async (sql) => {
      const slack: Webhook = { ...hook, id: "slack", format: "slack" };
      enqueue(sql, slack, notification, T0);
      const { fetch, sent } = scripted([200]);
      await attemptDue(sql, lookup(slack), T0, fetch, policy);
      const body = JSON.parse(sent[0]?.body ?? "{}") as { text: string; blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[] };
      expect(body.text).toBe(":red_circle: Firing: Error rate &lt;5 %&gt; for tenant thrower: 42.0 % (threshold 5.00 %)");
      expect(body.blocks.map((b) => b.type)).toEqual(["section", "section", "context"]);
      expect(body.blocks[1]?.text?.text).toContain("*Tenant:* `thrower`");
      expect(body.blocks[2]?.elements?.[0]?.text).toBe("<https://dash.example.com/tenants/thrower|Tenant page> · <https://dash.example.com/alerts|Alerts>");
      // Signed like any other body.
      expect((await verifyDelivery(SECRET, sent[0]?.headers.get(SIGNATURE_HEADER) ?? null, sent[0]?.body ?? "", T0 / 1000)).ok).toBe(true);
    });
  });
});

describe("retries", () => {
  it("back off exponentially (30 s, 60 s, 120 s) and stop once delivered", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const { fetch, sent } = scripted([503, 502, 500, 200]);
      expect(await attemptDue(sql, lookup(hook), T0, fetch, policy)).toBe(T0 + 30_000);
      // Not yet due: nothing is sent, the same due time comes back.
      expect(await attemptDue(sql, lookup(hook), T0 + 29_999, fetch, policy)).toBe(T0 + 30_000);
      expect(sent).toHaveLength(1);
      expect(await attemptDue(sql, lookup(hook), T0 + 30_000, fetch, policy)).toBe(T0 + 90_000);
      expect(await attemptDue(sql, lookup(hook), T0 + 90_000, fetch, policy)).toBe(T0 + 210_000);
      expect(listDeliveries(sql, 1)[0]).toMatchObject({ status: "pending", attempts: 3, lastStatus: 500, lastError: "answered 500", nextAttemptAt: new Date(T0 + 210_000).toISOString() });
      expect(await attemptDue(sql, lookup(hook), T0 + 210_000, fetch, policy)).toBeNull();
      expect(sent).toHaveLength(4);
      expect(listDeliveries(sql, 1)[0]).toMatchObject({ status: "delivered", attempts: 4, lastStatus: 200, lastError: null });
      // Each attempt is signed at its own time.
      const times = sent.map((s) => /t=(\d+)/.exec(s.headers.get(SIGNATURE_HEADER) ?? "")?.[1]);
      expect(times).toEqual([T0, T0 + 30_000, T0 + 90_000, T0 + 210_000].map((t) => String(t / 1000)));
    });
  });

  it("give up after maxAttempts", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const { fetch, sent } = scripted([500, 500, 500, 500, 500]);
      let now = T0;
      for (let next = await attemptDue(sql, lookup(hook), now, fetch, policy); next !== null; next = await attemptDue(sql, lookup(hook), now, fetch, policy)) now = next;
      expect(sent).toHaveLength(policy.maxAttempts);
      expect(now).toBe(T0 + 30_000 + 60_000 + 120_000);
      expect(listDeliveries(sql, 1)[0]).toMatchObject({ status: "failed", attempts: 4, lastStatus: 500, lastError: "answered 500; gave up after 4 attempts", nextAttemptAt: null });
    });
  });

  it("honour a longer Retry-After on 429, capped at the maximum delay", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const { fetch } = scripted([new Response("", { status: 429, headers: { "retry-after": "120" } }), new Response("", { status: 429, headers: { "retry-after": "86400" } })]);
      expect(await attemptDue(sql, lookup(hook), T0, fetch, policy)).toBe(T0 + 120_000);
      expect(await attemptDue(sql, lookup(hook), T0 + 120_000, fetch, policy)).toBe(T0 + 120_000 + policy.maxDelayMs);
    });
  });

  it("fail at once on a 4xx or a redirect: the receiver refused", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      enqueue(sql, { ...hook, id: "moved" }, notification, T0);
      const moved: Webhook = { ...hook, id: "moved", url: "https://hooks.example.com/old" };
      const { fetch } = scripted([400, new Response(null, { status: 301, headers: { location: "https://elsewhere.example.com/" } })]);
      expect(await attemptDue(sql, (id) => (id === "ops" ? hook : moved), T0, fetch, policy)).toBeNull();
      const byHook = Object.fromEntries(listDeliveries(sql, 10).map((d) => [d.webhook, d]));
      expect(byHook.ops).toMatchObject({ status: "failed", attempts: 1, lastStatus: 400, lastError: "answered 400" });
      expect(byHook.moved).toMatchObject({ status: "failed", attempts: 1, lastStatus: 301, lastError: "answered 301 (redirects are not followed)" });
    });
  });

  it("retry a network error, and keep the URL's query and the secret out of the log", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const { fetch } = scripted([new TypeError(`connect ECONNREFUSED for ${hook.url} with ${SECRET}`)]);
      expect(await attemptDue(sql, lookup(hook), T0, fetch, policy)).toBe(T0 + 30_000);
      const [d] = listDeliveries(sql, 1);
      expect(d).toMatchObject({ status: "pending", lastStatus: null, url: "https://hooks.example.com/in" });
      expect(d?.lastError).toBe("TypeError: connect ECONNREFUSED for https://hooks.example.com/in with [secret]");
      expect(JSON.stringify(listDeliveries(sql, 10))).not.toMatch(/tok-in-query|s3cret/);
    });
  });

  it("count an answer that does not come within the timeout as a failed attempt", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const hang: Fetcher = (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
      expect(await attemptDue(sql, lookup(hook), T0, hang, { ...policy, timeoutMs: 50 })).toBe(T0 + 30_000);
      expect(listDeliveries(sql, 1)[0]?.lastError).toBe("no answer within 0.05 s");
    });
  });
});

describe("the delivery log", () => {
  it("ends a delivery whose webhook was deleted, without sending it", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      const { fetch, sent } = scripted([]);
      expect(await attemptDue(sql, lookup(null), T0, fetch, policy)).toBeNull();
      expect(sent).toHaveLength(0);
      expect(listDeliveries(sql, 1)[0]).toMatchObject({ status: "failed", attempts: 0, lastError: "webhook ops no longer exists" });
    });
  });

  it("sends a delivery once when two calls overlap (the second finds it leased)", async () => {
    await withSql(async (sql) => {
      enqueue(sql, hook, notification, T0);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      const slow: Fetcher = async () => {
        calls++;
        await gate;
        return new Response(null, { status: 200 });
      };
      const first = attemptDue(sql, lookup(hook), T0, slow, policy);
      const second = await attemptDue(sql, lookup(hook), T0 + 1, slow, policy);
      // The leased delivery is due again only after the attempt's timeout.
      expect(second).toBeGreaterThan(T0 + policy.timeoutMs);
      release();
      expect(await first).toBeNull();
      expect(calls).toBe(1);
    });
  });

  it("lists newest first and keeps the newest finished deliveries only", async () => {
    await withSql(async (sql) => {
      const { fetch } = scripted([]);
      for (let i = 0; i < KEPT_DELIVERIES + 5; i++) sql.exec("INSERT INTO deliveries (id, webhook, url, event, rule, tenant, notification, status, attempts, created_ms) VALUES (?, 'ops', 'u', 'test', 'r', 't', '{}', 'delivered', 1, ?)", `old-${i}`, T0 + i);
      const pending = enqueue(sql, { ...hook, id: "later" }, { ...notification, tenant: "hello" }, T0 + 10_000_000);
      const listed = listDeliveries(sql, 2000);
      // At most KEPT_DELIVERIES per page; the pending one and the newest finished ones are kept.
      expect(listed).toHaveLength(KEPT_DELIVERIES);
      expect(listed[0]?.id).toBe(pending.id);
      expect(listed[1]?.id).toBe(`old-${KEPT_DELIVERIES + 4}`);
      const kept = sql.exec("SELECT COUNT(*) AS n, MIN(created_ms) AS oldest FROM deliveries").one();
      expect(kept).toEqual({ n: KEPT_DELIVERIES + 1, oldest: T0 + 5 });
      await attemptDue(sql, lookup({ ...hook, id: "later" }), T0 + 10_000_000, fetch, policy);
      expect(listDeliveries(sql, 1)[0]).toMatchObject({ id: pending.id, status: "delivered", tenant: "hello" });
    });
  });
});

describe("the text of a notification", () => {
  const n = (condition: AlertNotification["rule"]["condition"], value: number, threshold: number): AlertNotification => ({ ...notification, rule: { ...notification.rule, condition }, value, threshold });
  it("gives value and threshold in the condition's units", () => {
    expect(valueText(n("limit_rate", 0.031, 0.02))).toBe("3.10 % (threshold 2.00 %)");
    expect(valueText(n("cpu_p95", 8.44, 8))).toBe("p95 8.4 ms CPU (threshold 8.0 ms)");
    expect(valueText(n("quota", 1_234_567.4, 1_000_000))).toBe("1,234,567 used of 1,000,000");
    expect(valueText(n("change", 412, 120))).toBe("412 in the window (threshold 120)");
  });

  it("says what a test notification is, in JSON and Slack bodies alike", () => {
    const test: AlertNotification = { ...notification, event: "test", tenant: "", since: null };
    expect(summaryLine(test)).toBe("Test notification from tenantscope: this webhook receives alerts");
    const slack = JSON.parse(renderBody("slack", test)) as { text: string; blocks: { text?: { text: string } }[] };
    expect(slack.text).toBe(":information_source: Test notification from tenantscope: this webhook receives alerts");
    expect(slack.blocks[1]?.text?.text).toBe(`Sent at ${test.at}.`);
    expect(JSON.parse(renderBody("json", test))).toEqual(test);
  });
});
