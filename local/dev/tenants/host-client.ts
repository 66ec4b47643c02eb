/**
 * The supervisor's own calls to a tenant process's host, outside any invocation:
 * calibration runs, and loading an isolate (a tenant's cold start, or an upload's
 * probe), watched like an invocation against Cloudflare's startup limit.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest, type Agent } from "node:http";
import { CALIBRATION_FETCHES, CALIBRATION_NAMESPACE, CALIBRATION_TARGET_HEADER, CPU_FINAL_HEADER, CPU_HEADER, HOST_PATHS, RUN_HEADER, STARTUP_LIMIT_MS, SUBREQUESTS_HEADER, type RunHeader } from "../../host/src/run-protocol.ts";
import { HOP_BY_HOP, headerPairs } from "./headers.ts";
import type { Slot } from "./slot.ts";

/** Hop-by-hop headers, the CPU figures only the supervisor writes, and the host's count for it. */
export const DROPPED = new Set([...HOP_BY_HOP, CPU_HEADER, CPU_FINAL_HEADER, SUBREQUESTS_HEADER]);

export const CALIBRATION_RUNS = 30;
export const CALIBRATION_WARMUP = 10;
/** What a request through the dispatcher carries, since the trace's cost grows with it. */
const CALIBRATION_HEADERS = [
  "user-agent", "curl/8.14.1", "accept", "*/*", "accept-encoding", "gzip, br",
  "x-tenantscope-tenant", "calibration", "x-tenantscope-plan", "free", "x-tenantscope-limits", '{"cpuMs":10,"subRequests":10}',
];

export interface HostAnswer {
  status: number;
  headers: string[];
  body: Buffer;
}

/** `timeout`: ms the socket may stay silent before the call fails. */
export function fetchFrom(slot: Slot, agent: Agent | undefined, req: { method: string; path: string; headers: string[]; timeout?: number }): Promise<HostAnswer> {
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: "127.0.0.1", port: slot.process.port, agent, ...req }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: headerPairs(res.rawHeaders, DROPPED), body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    out.on("error", reject);
    out.on("timeout", () => out.destroy(new Error(`no answer within ${req.timeout} ms`)));
    out.end();
  });
}

/** One run of the calibration tenant: the thread's CPU for it, or null if it failed. */
async function calibrationRun(slot: Slot, agent: Agent | undefined, extra: readonly string[]): Promise<number | null> {
  const run = { id: `calibration-${randomUUID()}`, isolate: `${CALIBRATION_NAMESPACE}/calibration`, namespace: CALIBRATION_NAMESPACE, script: "calibration", etag: "0" };
  const start = slot.process.cpuNs();
  const res = await fetchFrom(slot, agent, { method: "GET", path: HOST_PATHS.calibrate, headers: [...CALIBRATION_HEADERS, ...extra, "host", `127.0.0.1:${slot.process.port}`, RUN_HEADER, JSON.stringify(run)] });
  const cpuMs = (slot.process.cpuNs() - start) / 1e6;
  // As after an invocation: the trace's cost is not the next run's.
  if (res.status === 203) await slot.traceLeft(run.id);
  return res.status === 203 && Number.isFinite(cpuMs) ? cpuMs : null;
}

function median(samples: number[]): number {
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

/** The median CPU of the calibration tenant's invocations: the runtime's own share of each. */
export async function calibrate(slot: Slot, agent: Agent | undefined, runs = CALIBRATION_RUNS): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuMs = await calibrationRun(slot, agent, []);
    // The first runs load the isolate and warm the JIT.
    if (cpuMs !== null && i >= CALIBRATION_WARMUP) samples.push(cpuMs);
  }
  return median(samples);
}

/**
 * What one subrequest to `target` costs the thread: runs that fetch it
 * CALIBRATION_FETCHES times, interleaved with runs that do not (so a busy moment of the
 * machine weighs on both alike), the difference of the medians per fetch. The runs that
 * do not fetch are `calibrate()`'s, so their median is the baseline too.
 */
export async function calibrateSubrequest(slot: Slot, agent: Agent | undefined, target: string, runs = CALIBRATION_RUNS): Promise<{ baselineMs: number; subrequestMs: number }> {
  const without: number[] = [];
  const fetching: number[] = [];
  for (let i = 0; i < runs; i++) {
    const plain = await calibrationRun(slot, agent, []);
    const fetched = await calibrationRun(slot, agent, [CALIBRATION_TARGET_HEADER, target]);
    if (i < CALIBRATION_WARMUP || plain === null || fetched === null) continue;
    without.push(plain);
    fetching.push(fetched);
  }
  const baselineMs = median(without);
  return { baselineMs, subrequestMs: Math.max(0, (median(fetching) - baselineMs) / CALIBRATION_FETCHES) };
}

/**
 * The subrequests invocation `id` has made so far, from its host, or null if the host
 * does not answer within `timeoutMs`: its thread is busy, so the invocation is not
 * waiting on any subrequest.
 */
export async function askSubrequests(slot: Slot, id: string, timeoutMs: number): Promise<number | null> {
  const path = `${HOST_PATHS.subrequests}?id=${encodeURIComponent(id)}`;
  const answer = await fetchFrom(slot, undefined, { method: "GET", path, headers: ["host", `127.0.0.1:${slot.process.port}`], timeout: timeoutMs }).catch(() => null);
  const text = answer?.body.toString("utf8") ?? "";
  return answer?.status === 200 && /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * How often the supervisor collects garbage: every this many invocations per process
 * (2-10 KB of the host's garbage each, and the native memory it holds). A full GC of
 * those heaps (1-3 MB each) takes a few ms, paid between invocations, so no tenant is
 * charged for it.
 */
export const HOST_GC_EVERY = 100;

/**
 * Collects the tenant isolate's garbage and the host's, with no invocation running:
 * the slot is held and `current` is cleared, so the watchdog charges the GC to nobody.
 * False when the host cannot (its workerd runs without the flag: tenants/v8-flags.ts).
 */
async function collectHostGarbage(slot: Slot, agent: Agent | undefined, raw: string): Promise<boolean> {
  slot.current = null;
  const res = await fetchFrom(slot, agent, { method: "POST", path: HOST_PATHS.gc, headers: ["host", `127.0.0.1:${slot.process.port}`, RUN_HEADER, raw] });
  return res.status === 204;
}

/**
 * After each invocation, with the slot still held: every HOST_GC_EVERY-th time,
 * collects the isolate that just ran (`raw` is its run header), one other loaded
 * isolate in turn, and the host. Without the turn, an isolate that seldom runs last
 * piles up garbage until V8's own major GC comes, inside someone's invocation: most
 * likely the periodic ~11 ms extra charge (every ~6.7 min at 20 req/s, 30 min measured)
 * that failed cheap tenants on 10 ms plans.
 */
export async function collectIfDue(slot: Slot, agent: Agent | undefined, isolate: string, raw: string, log: (line: string) => void): Promise<void> {
  slot.rememberRun(isolate, raw);
  slot.sinceGc += 1;
  if (slot.gcUnavailable || slot.sinceGc < HOST_GC_EVERY) return;
  slot.sinceGc = 0;
  const generation = slot.process.generation;
  try {
    if (await collectHostGarbage(slot, agent, raw)) {
      slot.gcs += 1;
      const other = slot.nextToCollect(isolate);
      if (other !== undefined && generation === slot.process.generation) await collectHostGarbage(slot, agent, other);
    }
    // Killed meanwhile: the answer is the restart's, not the flag's.
    else if (generation !== slot.process.generation) return;
    else {
      slot.gcUnavailable = true;
      log(`tenant supervisor: the tenant host on port ${slot.process.port} cannot collect its garbage (V8 runs without --expose-gc-as): the process grows until it is recycled`);
    }
  } catch {
    // The process died meanwhile: its memory went with it.
  }
}

export type WarmResult =
  | { ok: true; cpuMs: number }
  | { ok: false; killedAtMs: null; answer: HostAnswer }
  | { ok: false; killedAtMs: number };

/**
 * Loads the isolate (module evaluation, the global scope) unbilled to any request,
 * as production does, but under the watchdog: a global scope that runs past the
 * startup limit is killed with its process, as Cloudflare refuses it.
 */
export async function warm(slot: Slot, agent: Agent | undefined, run: RunHeader, raw: string): Promise<WarmResult> {
  const generation = slot.process.generation;
  const running = slot.begin({ id: run.id, isolate: run.isolate, limitMs: STARTUP_LIMIT_MS, fresh: true });
  try {
    const answer = await fetchFrom(slot, agent, { method: "POST", path: HOST_PATHS.warm, headers: ["host", `127.0.0.1:${slot.process.port}`, RUN_HEADER, raw] });
    if (running.killedAtMs !== null) return { ok: false, killedAtMs: running.killedAtMs };
    if (answer.status !== 204) return { ok: false, killedAtMs: null, answer };
    slot.markWarm(run.isolate, generation);
    return { ok: true, cpuMs: slot.usedMs(running) };
  } catch (error) {
    if (running.killedAtMs !== null) return { ok: false, killedAtMs: running.killedAtMs };
    throw error;
  } finally {
    slot.current = null;
  }
}
