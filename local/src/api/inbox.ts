/**
 * The local webhook inbox (local only), so the alert loop runs offline:
 * - `POST /_local/inbox/:webhook` receives a delivery, as a platform's endpoint would.
 *   No bearer token: like a real receiver it trusts the signature alone, checked under
 *   the secret of `webhook:<id>` in the plans KV (core/alert-signature.ts). Every
 *   delivery is kept, verified or not; an unverified one is answered 401 (an unknown
 *   webhook 404), as a receiver that checks signatures answers it.
 * - `GET /_local/inbox?limit=&webhook=&after=` lists what arrived, newest first.
 * - `DELETE /_local/inbox` empties it.
 * The two last ones sit behind the bearer token like the rest of the API (app.ts).
 */
import { Hono } from "hono";
import { ALERT_ID_RE, DELIVERY_HEADER, SIGNATURE_HEADER, alertKeys, parseWebhookRecord } from "@tenantscope/core/alerts";
import { verifyDelivery } from "@tenantscope/core/alert-signature";
import { isRecord } from "@tenantscope/core/result";
import { ApiError, codes, success } from "./envelope.ts";
import { INBOX_SIZE, type NewEntry } from "../inbox/store.ts";

/** Larger bodies are refused unread: deliveries are a few KB. */
export const MAX_INBOX_BODY = 1 << 20;

function inbox(env: Env) {
  return env.INBOX.get(env.INBOX.idFromName("inbox"));
}

/** event, rule and tenant of a JSON delivery (a Slack body has none of them). */
function facts(body: string): Pick<NewEntry, "event" | "rule" | "tenant"> {
  try {
    const v: unknown = JSON.parse(body);
    if (isRecord(v)) {
      const rule = isRecord(v.rule) && typeof v.rule.id === "string" ? v.rule.id : null;
      return { event: typeof v.event === "string" ? v.event : null, rule, tenant: typeof v.tenant === "string" ? v.tenant : null };
    }
  } catch {
    // Not JSON: kept as text, without facts.
  }
  return { event: null, rule: null, tenant: null };
}

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_INBOX_BODY) throw new ApiError(413, codes.tooLarge, `the inbox takes bodies up to ${MAX_INBOX_BODY} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_INBOX_BODY) throw new ApiError(413, codes.tooLarge, `the inbox takes bodies up to ${MAX_INBOX_BODY} bytes`);
  return new TextDecoder().decode(bytes);
}

async function check(env: Env, webhook: string, signature: string | null, body: string): Promise<{ verified: boolean; reason: string | null; known: boolean }> {
  const record = await env.PLANS.get(alertKeys.webhook(webhook));
  if (record === null) return { verified: false, reason: `no webhook "${webhook}" in the plans KV, so no secret to check the signature with`, known: false };
  const hook = parseWebhookRecord(record);
  if (!hook.ok) return { verified: false, reason: `webhook:${webhook} is not a valid record: ${hook.message}`, known: false };
  const checked = await verifyDelivery(hook.value.secret, signature, body, Date.now() / 1000);
  return checked.ok ? { verified: true, reason: null, known: true } : { verified: false, reason: `${checked.reason}: ${checked.message}`, known: true };
}

function intParam(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, codes.badRequest, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

export const inboxRoutes = new Hono<{ Bindings: Env }>();

inboxRoutes.post("/:webhook", async (c) => {
  const webhook = c.req.param("webhook");
  if (!ALERT_ID_RE.test(webhook)) throw new ApiError(400, codes.badRequest, "the path names a webhook id: lower-case letters, digits and dashes");
  const body = await readBody(c.req.raw);
  const signature = c.req.header(SIGNATURE_HEADER) ?? null;
  const result = await check(c.env, webhook, signature, body);
  const entry = await inbox(c.env).add({ webhook, delivery: c.req.header(DELIVERY_HEADER) ?? null, signature, verified: result.verified, reason: result.reason, ...facts(body), body });
  if (result.verified) return c.json(success({ seq: entry.seq, verified: true }));
  throw new ApiError(result.known ? 401 : 404, result.known ? codes.authentication : codes.notFound, `kept as unverified (inbox entry ${entry.seq}): ${result.reason ?? ""}`);
});

inboxRoutes.get("/", async (c) => {
  const limit = intParam(c.req.query("limit"), 50, 1, INBOX_SIZE, "limit");
  const after = intParam(c.req.query("after"), 0, 0, Number.MAX_SAFE_INTEGER, "after");
  const webhook = c.req.query("webhook");
  if (webhook !== undefined && !ALERT_ID_RE.test(webhook)) throw new ApiError(400, codes.badRequest, "webhook must be a webhook id");
  const entries = await inbox(c.env).list({ limit, after, ...(webhook === undefined ? {} : { webhook }) });
  return c.json(success(entries, { count: entries.length }));
});

inboxRoutes.delete("/", async (c) => c.json(success({ deleted: await inbox(c.env).clear() })));
