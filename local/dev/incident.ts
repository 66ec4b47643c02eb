/**
 * `pnpm demo --incident`: one tenant's errors spike for a minute, so the seeded rule
 * (seed-alerts.ts, demo-fanout-errors) fires, is delivered to the local inbox and
 * resolves. Three phases of the normal demo mix, the middle one with fanout calls over
 * its plan's subrequest limit added; meanwhile the inbox is watched and each delivery
 * printed, until the rule's `resolved` arrives (or the recovery phase times out).
 */
import { alertKeys } from "@tenantscope/core/alerts";
import { DEMO_RULE, INCIDENT_TENANT } from "./seed-alerts.ts";
import { apiPaths, type LocalApiClient } from "./seed.ts";
import { DEMO_MIX, runTraffic, type TrafficKind } from "./traffic.ts";

export interface IncidentOptions {
  dispatcher: string;
  api: LocalApiClient;
  rate: number;
  concurrency: number;
  seed: number;
  baselineMs?: number;
  spikeMs?: number;
  /** Recovery traffic runs until the rule resolves, or this long. */
  recoveryMaxMs?: number;
  out: (line: string) => void;
  signal?: AbortSignal;
}

/** Weighted like the rest of DEMO_MIX: with it, about 80 % of fanout's calls fail. */
const SPIKE: TrafficKind = { name: `${INCIDENT_TENANT} incident`, weight: 60, expect: "subrequests", path: (r) => `/${INCIDENT_TENANT}/?n=${30 + Math.floor(r() * 20)}` };

interface Arrival {
  seq: number;
  receivedAt: string;
  verified: boolean;
  event: string | null;
  rule: string | null;
  tenant: string | null;
  body: string;
}

function describe(a: Arrival): string {
  let value = "";
  try {
    const body = JSON.parse(a.body) as { value?: unknown; threshold?: unknown };
    if (typeof body.value === "number" && typeof body.threshold === "number") value = ` ${(body.value * 100).toFixed(1)} % of calls failed (threshold ${(body.threshold * 100).toFixed(0)} %)`;
  } catch {
    // A Slack body: no value to show.
  }
  return `inbox: ${a.event ?? "?"} ${a.rule ?? "?"} for ${a.tenant ?? "?"}${value}, signature ${a.verified ? "valid" : "INVALID"}`;
}

/** Polls the inbox for new deliveries; `seen` gets each one once. */
function watchInbox(api: LocalApiClient, seen: (a: Arrival) => void, fail: (why: string) => void): () => void {
  let after = -1;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    const answer = await api.call("GET", `/_local/inbox?limit=100${after < 0 ? "" : `&after=${after}`}`);
    if (answer.status !== 200) throw new Error(`the inbox answered ${answer.status}`);
    const entries = (JSON.parse(answer.text) as { result: Arrival[] }).result.reverse();
    // The first poll only finds where the inbox stands.
    if (after >= 0) for (const e of entries) seen(e);
    after = Math.max(after, 0, ...entries.map((e) => e.seq));
  };
  const loop = (): void => {
    if (stopped) return;
    poll().then(() => (timer = setTimeout(loop, 1_000)), (e: unknown) => fail(e instanceof Error ? e.message : String(e)));
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function runIncident(opts: IncidentOptions): Promise<{ fired: boolean; resolved: boolean }> {
  const rule = await opts.api.call("GET", apiPaths.kvValue(alertKeys.rule(DEMO_RULE.id)));
  if (rule.status === 404) opts.out(`warning: rule ${DEMO_RULE.id} is not in KV (deleted?): the spike will notify nobody. pnpm dev --fresh seeds it again.`);
  const baselineMs = opts.baselineMs ?? 20_000;
  const spikeMs = opts.spikeMs ?? 60_000;
  const recoveryMaxMs = opts.recoveryMaxMs ?? 180_000;
  const started = Date.now();
  const at = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
  let fired = false;
  let resolved = false;
  const recovery = new AbortController();
  opts.signal?.addEventListener("abort", () => recovery.abort());
  const stopWatching = watchInbox(opts.api, (a) => {
    opts.out(`[${at()}] ${describe(a)}`);
    if (a.rule !== DEMO_RULE.id) return;
    if (a.event === "firing") fired = true;
    if (a.event === "resolved" && fired) {
      resolved = true;
      recovery.abort();
    }
  }, (why) => opts.out(`warning: cannot watch the inbox (${why}); see \`pnpm tenantscope alert inbox\``));
  const phase = async (name: string, ms: number, mix: readonly TrafficKind[], signal: AbortSignal | undefined): Promise<void> => {
    if (opts.signal?.aborted === true) return;
    opts.out(`[${at()}] ${name}`);
    const stats = await runTraffic({ dispatcher: opts.dispatcher, durationMs: ms, rate: opts.rate, concurrency: opts.concurrency, seed: opts.seed, mix, ...(signal === undefined ? {} : { signal }) });
    opts.out(`[${at()}]   ${stats.sent} requests: ${Object.entries(stats.answers).map(([k, n]) => `${k} ${n}`).join(" · ")}`);
  };
  try {
    await phase(`baseline: the demo mix for ${baselineMs / 1000} s`, baselineMs, DEMO_MIX, opts.signal);
    await phase(`incident: ${INCIDENT_TENANT}'s calls go over its subrequest limit for ${spikeMs / 1000} s (rule ${DEMO_RULE.id}: error rate ≥ 50 % over 1 min)`, spikeMs, [...DEMO_MIX, SPIKE], opts.signal);
    await phase(`recovery: the demo mix until the rule resolves (at most ${recoveryMaxMs / 1000} s)`, recoveryMaxMs, DEMO_MIX, recovery.signal);
    // A resolved notification may be on its way as the traffic stops.
    const until = Date.now() + (resolved ? 0 : 2_000);
    while (!resolved && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  } finally {
    stopWatching();
  }
  return { fired, resolved };
}
