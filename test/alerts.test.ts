/**
 * The alert loop on the whole local stack: rules and a webhook in KV, the evaluator on a
 * short interval (as `pnpm dev` runs it), deliveries signed into the local inbox, and a
 * quota rule whose stop makes the dispatcher answer quota_exceeded until its (shortened)
 * period ends.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertsService } from "@tenantscope/core/alert-state";
import { alertKeys, ruleRecord, webhookRecord, type AlertRule, type AlertNotification } from "@tenantscope/core/alerts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { inboxUrl } from "../local/dev/seed-alerts.ts";
import { LocalApiClient, apiPaths, uploadScript } from "../local/dev/seed.ts";
import { run } from "../cli/src/run.ts";

/** The evaluator's interval here; deliveries must arrive within two of them. */
const INTERVAL_MS = 4_000;
const SECRET = "e2e-inbox-secret-0123456789";
const HOOK = "e2e-inbox";
const QUOTA_PERIOD_S = 30;

let stack: Stack;
let api: LocalApiClient;

interface Entry {
  seq: number;
  receivedAt: string;
  webhook: string;
  signature: string | null;
  verified: boolean;
  event: string | null;
  rule: string | null;
  tenant: string | null;
  body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The receiver's own check, with Node's crypto (alerts/NOTIFICATIONS.md), not the stack's. */
function signatureHolds(header: string | null, body: string, secret: string): boolean {
  const parts = (header ?? "").split(",").map((p) => p.trim().split("="));
  const t = parts.find(([k]) => k === "t")?.[1] ?? "";
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return /^\d+$/.test(t) && parts.some(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, "hex"), expected));
}

async function putRecord(key: string, value: string): Promise<void> {
  await api.expect("PUT", apiPaths.kvValue(key), { body: value, contentType: "application/json" });
}

async function inbox(): Promise<Entry[]> {
  const answer = await api.expect("GET", `/_local/inbox?webhook=${HOOK}&limit=100`);
  return (JSON.parse(answer.text) as { result: Entry[] }).result;
}

/** Polls the inbox until `pick` finds an entry, or `ms` pass. */
async function arrival(pick: (e: Entry) => boolean, ms: number): Promise<Entry> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = (await inbox()).find(pick);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no such delivery within ${ms} ms; inbox: ${JSON.stringify((await inbox()).map((e) => [e.event, e.rule, e.tenant]))}`);
    await sleep(250);
  }
}

const tenantCall = (tenant: string, query = ""): Promise<Response> => fetch(new URL(`/${tenant}/${query}`, stack.urls.dispatcher));

async function calls(tenant: string, query: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await tenantCall(tenant, query);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

const evaluator = async (): Promise<AlertsService> => (await stack.mf.getWorker("tenantscope-alerts")) as unknown as AlertsService;

beforeAll(async () => {
  // A plan cache of a second, so a stop written by the evaluator is seen at once.
  stack = await startStack({ port: 0, apiPort: 0, persistTo: false, seed: false, alertsIntervalMs: INTERVAL_MS, dispatcherVars: { PLAN_CACHE_TTL_SECONDS: "1" }, log: () => {}, tenantLog: () => {} });
  api = new LocalApiClient(stack.urls.api, stack.apiToken);
  await api.expect("POST", apiPaths.namespaces(), { body: JSON.stringify({ name: stack.namespace }), contentType: "application/json" });
  const flaky = `export default { fetch(request) {
    if (new URL(request.url).searchParams.has("fail")) throw new Error("flaky: failing on purpose");
    return new Response("ok");
  } }`;
  for (const name of ["flaky", "metered"]) {
    await uploadScript(api, { namespace: stack.namespace, name, source: flaky, format: "module", tailConsumers: ["tenantscope-tail"] });
  }
  await putRecord(alertKeys.webhook(HOOK), webhookRecord({ id: HOOK, url: inboxUrl(stack.urls.api, HOOK), format: "json", secret: SECRET }));
});

afterAll(async () => {
  await stack?.dispose();
});

describe("alerts on the local stack", () => {
  it("delivers an error burst to the inbox within two evaluation intervals, signed, and resolves on recovery", { timeout: 90_000 }, async () => {
    const rule: AlertRule = {
      id: "flaky-errors", name: "flaky error rate", scope: { kind: "tenant", value: "flaky" },
      condition: { kind: "error_rate", windowMinutes: 1, threshold: 0.5, minInvocations: 10 },
      cooldownMinutes: 60, webhooks: [HOOK], enabled: true,
    };
    await putRecord(alertKeys.rule(rule.id), ruleRecord(rule));
    // Healthy traffic below the minimum volume, then the burst.
    expect(new Set(await calls("flaky", "", 3))).toEqual(new Set([200]));
    expect(new Set(await calls("flaky", "?fail=1", 12))).toEqual(new Set([500]));
    const burstEnd = Date.now();
    const fired = await arrival((e) => e.rule === rule.id && e.event === "firing", 4 * INTERVAL_MS);
    const latency = Date.parse(fired.receivedAt) - burstEnd;
    console.log(`alerts e2e: firing delivered ${latency} ms after the burst (interval ${INTERVAL_MS} ms)`);
    expect(latency).toBeLessThanOrEqual(2 * INTERVAL_MS);
    expect(fired.verified).toBe(true);
    expect(signatureHolds(fired.signature, fired.body, SECRET)).toBe(true);
    expect(signatureHolds(fired.signature, fired.body, "some-other-secret")).toBe(false);
    const body = JSON.parse(fired.body) as AlertNotification;
    expect(body).toMatchObject({ event: "firing", tenant: "flaky", rule: { id: rule.id, condition: "error_rate" }, threshold: 0.5 });
    expect(body.value).toBeCloseTo(12 / 15, 5);

    // Recovery: enough good calls bring the window's share under the threshold.
    expect(new Set(await calls("flaky", "", 20))).toEqual(new Set([200]));
    const recovered = Date.now();
    const resolved = await arrival((e) => e.rule === rule.id && e.event === "resolved", 4 * INTERVAL_MS);
    console.log(`alerts e2e: resolved delivered ${Date.parse(resolved.receivedAt) - recovered} ms after the recovery`);
    expect(Date.parse(resolved.receivedAt) - recovered).toBeLessThanOrEqual(2 * INTERVAL_MS);
    expect(resolved.verified && signatureHolds(resolved.signature, resolved.body, SECRET)).toBe(true);
    // One firing, one resolved: no repeat within the cooldown.
    expect((await inbox()).filter((e) => e.rule === rule.id).map((e) => e.event)).toEqual(["resolved", "firing"]);
    const deliveries = (await (await evaluator()).deliveries(20)).filter((d) => d.rule === rule.id);
    expect(deliveries.map((d) => [d.event, d.status, d.lastStatus])).toEqual([["resolved", "delivered", 200], ["firing", "delivered", 200]]);
  });

  it("stops a tenant over its quota with 429 quota_exceeded until the period ends, then serves it again", { timeout: 150_000 }, async () => {
    const rule: AlertRule = {
      id: "metered-quota", name: "metered invocations", scope: { kind: "tenant", value: "metered" },
      condition: { kind: "quota", metric: "invocations", amount: 5, periodSeconds: QUOTA_PERIOD_S, onForecast: false, stop: true },
      cooldownMinutes: 60, webhooks: [HOOK], enabled: true,
    };
    // Start right after a period begins, so the whole stop fits in it.
    const span = QUOTA_PERIOD_S * 1000;
    await sleep(span - (Date.now() % span) + 300);
    const periodEnd = Math.floor(Date.now() / span) * span + span;
    await putRecord(alertKeys.rule(rule.id), ruleRecord(rule));
    expect(new Set(await calls("metered", "", 6))).toEqual(new Set([200]));

    // Stopped within two intervals (and the plan cache's second).
    const deadline = Date.now() + 2 * INTERVAL_MS + 1_500;
    let stopped: Response | null = null;
    while (stopped === null && Date.now() < deadline) {
      const res = await tenantCall("metered");
      if (res.status === 429) stopped = res;
      else await res.arrayBuffer();
      await sleep(200);
    }
    if (stopped === null) throw new Error("the dispatcher never answered 429 for metered");
    console.log(`alerts e2e: stopped ${Date.now() - (deadline - 2 * INTERVAL_MS - 1_500)} ms after the quota was used up`);
    const error = (await stopped.json()) as { error: { code: string } };
    expect(error.error.code).toBe("quota_exceeded");
    const retryAfter = Number(stopped.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(Math.abs(Date.now() + retryAfter * 1000 - periodEnd)).toBeLessThanOrEqual(2_000);
    const notified = await arrival((e) => e.rule === rule.id && e.event === "firing", 4 * INTERVAL_MS);
    expect(notified.verified).toBe(true);
    expect((JSON.parse(notified.body) as AlertNotification).stoppedUntil).toBe(new Date(periodEnd).toISOString());

    // Still stopped just before the end, served again right after it, by itself.
    await sleep(Math.max(0, periodEnd - Date.now() - 1_500));
    expect((await tenantCall("metered")).status).toBe(429);
    await sleep(Math.max(0, periodEnd - Date.now() + 300));
    const back = await tenantCall("metered");
    expect(back.status).toBe(200);
    await back.arrayBuffer();

    // The evaluator lifts the record too, through the audit log, as the rule.
    const history = await (await evaluator()).history(50, { rule: rule.id });
    const lifted = async (): Promise<boolean> => (await (await evaluator()).history(50, { rule: rule.id })).some((h) => h.event === "resumed");
    for (let i = 0; i < 20 && !(await lifted()); i++) await sleep(500);
    expect(history.map((h) => h.event)).toContain("stopped");
    expect(await lifted()).toBe(true);
    const out: string[] = [];
    const code = await run(["audit", "list", "--json", "--key", "tenant:metered"], { fetch: (u, i) => fetch(u, i), env: { TENANTSCOPE_API_URL: stack.urls.api }, out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    const entries = JSON.parse(out.join("\n")) as { actor: string; via: string; new: string | null }[];
    // metered had no record before its stop: the lift deletes the one the stop made (new: null), so it follows DEFAULT_PLAN again.
    expect(entries.slice(0, 2).map((e) => [e.actor, e.via, e.new === null ? null : e.new.includes('"stop"')])).toEqual([["rule:metered-quota", "alerts", null], ["rule:metered-quota", "alerts", true]]);
  });
});
