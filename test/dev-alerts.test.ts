/**
 * What `pnpm dev` adds for alerts: the seeded local-inbox webhook and demo rule (kept
 * across restarts, audited, the secret never in the log), and `pnpm demo --incident`
 * (shortened phases) taking the seeded rule through firing and resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertKeys, parseWebhookRecord } from "@tenantscope/core/alerts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { DEMO_RULE, INBOX_WEBHOOK, inboxUrl, seedAlerts } from "../local/dev/seed-alerts.ts";
import { runIncident } from "../local/dev/incident.ts";
import { LocalApiClient, apiPaths } from "../local/dev/seed.ts";
import { run } from "../cli/src/run.ts";

let stack: Stack;
let api: LocalApiClient;

async function webhookSecret(): Promise<{ url: string; secret: string }> {
  const answer = await api.expect("GET", apiPaths.kvValue(alertKeys.webhook(INBOX_WEBHOOK)));
  const hook = parseWebhookRecord(answer.text);
  if (!hook.ok) throw new Error(hook.message);
  return { url: hook.value.url, secret: hook.value.secret };
}

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, persistTo: false, alertsIntervalMs: 4_000, log: () => {}, tenantLog: () => {} });
  api = new LocalApiClient(stack.urls.api, stack.apiToken);
});

afterAll(async () => {
  await stack?.dispose();
});

describe("the dev stack's alerts", () => {
  it("seeds the local-inbox webhook and the demo rule once, through the audit log, without the secret", async () => {
    expect(stack.alertSeed).toEqual({ webhook: { id: INBOX_WEBHOOK, url: inboxUrl(stack.urls.api), state: "created" }, rule: { id: DEMO_RULE.id, state: "created" } });
    const first = await webhookSecret();
    expect(first.url).toBe(`${stack.urls.api}/_local/inbox/local-inbox`);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(await seedAlerts(api, stack.urls.api)).toMatchObject({ webhook: { state: "kept" }, rule: { state: "kept" } });
    // A new API port moves the URL and keeps the secret.
    expect((await seedAlerts(api, "http://127.0.0.1:1")).webhook).toEqual({ id: INBOX_WEBHOOK, url: "http://127.0.0.1:1/_local/inbox/local-inbox", state: "updated" });
    expect(await webhookSecret()).toEqual({ url: "http://127.0.0.1:1/_local/inbox/local-inbox", secret: first.secret });
    await seedAlerts(api, stack.urls.api);
    // A rule someone deleted stays deleted.
    await api.expect("DELETE", apiPaths.kvValue(alertKeys.rule(DEMO_RULE.id)));
    expect((await seedAlerts(api, stack.urls.api)).rule).toEqual({ id: DEMO_RULE.id, state: "deleted" });
    expect((await api.call("GET", apiPaths.kvValue(alertKeys.rule(DEMO_RULE.id)))).status).toBe(404);
    const out: string[] = [];
    expect(await run(["audit", "list", "--json"], { fetch: (u, i) => fetch(u, i), env: { TENANTSCOPE_API_URL: stack.urls.api }, out: (l) => out.push(l), err: () => {} })).toBe(0);
    const log = out.join("\n");
    expect(log).toContain("webhook:local-inbox");
    expect(log).toContain(`alert:${DEMO_RULE.id}`);
    expect(log).not.toContain(first.secret);
    // Back as it was, for the incident below.
    await api.expect("PUT", apiPaths.kvValue(alertKeys.rule(DEMO_RULE.id)), { body: JSON.stringify(DEMO_RULE), contentType: "application/json" });
  });

  it("pnpm demo --incident: the seeded rule fires, is delivered and resolves", { timeout: 150_000 }, async () => {
    const lines: string[] = [];
    const outcome = await runIncident({
      dispatcher: stack.urls.dispatcher, api, rate: 20, concurrency: 4, seed: 7,
      baselineMs: 3_000, spikeMs: 12_000, recoveryMaxMs: 90_000, out: (l) => lines.push(l),
    });
    expect(outcome, lines.join("\n")).toEqual({ fired: true, resolved: true });
    const inbox = lines.filter((l) => l.includes("inbox:"));
    expect(inbox[0]).toMatch(/inbox: firing demo-fanout-errors for fanout \d+\.\d % of calls failed \(threshold 50 %\), signature valid$/);
    expect(inbox.at(-1)).toMatch(/inbox: resolved demo-fanout-errors for fanout .* signature valid$/);
    console.log(`dev alerts: ${inbox.join(" | ")}`);
  });
});
