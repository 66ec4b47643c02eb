/**
 * Demo traffic: drives the demo tenants through the dispatcher with a realistic
 * mix (mostly ok, some exceptions, CPU and subrequest violations, a few unknown
 * tenants) so that the Tail Worker, Analytics Engine and the dashboard have
 * something to show. Requests go by path (`/<tenant>/...`), since Node's fetch
 * cannot resolve `*.localhost`.
 */

/** What a request is meant to produce; the dispatcher's answer is checked against it. */
export type Expectation = "ok" | "exception" | "cpu" | "subrequests" | "not_found";

export interface TrafficKind {
  name: string;
  weight: number;
  expect: Expectation;
  path(random: () => number): string;
}

const int = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

/** Weights are relative; the violation paths assume the demo plans (see seed.ts). */
export const DEMO_MIX: readonly TrafficKind[] = [
  { name: "hello", weight: 34, expect: "ok", path: (r) => (r() < 0.5 ? "/hello/" : `/hello/page/${int(r, 1, 20)}`) },
  { name: "legacy-sw", weight: 6, expect: "ok", path: () => "/legacy-sw/" },
  { name: "chatty", weight: 10, expect: "ok", path: (r) => `/chatty/?lines=${int(r, 1, 5)}` },
  { name: "fanout", weight: 14, expect: "ok", path: (r) => `/fanout/?n=${int(r, 1, 5)}` },
  { name: "fanout over limit", weight: 4, expect: "subrequests", path: (r) => `/fanout/?n=${int(r, 15, 30)}` },
  { name: "cpu-burner", weight: 14, expect: "ok", path: (r) => `/cpu-burner/?ms=${int(r, 1, 15)}` },
  { name: "cpu-burner over limit", weight: 4, expect: "cpu", path: (r) => `/cpu-burner/?ms=${int(r, 150, 300)}` },
  { name: "thrower", weight: 6, expect: "exception", path: () => "/thrower/" },
  { name: "unknown tenant", weight: 2, expect: "not_found", path: (r) => `/no-such-tenant-${int(r, 1, 3)}/` },
];

const UNITS: Record<string, number> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "2m", "1h" or plain seconds → milliseconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(raw.trim());
  const unit = UNITS[m?.[2] ?? ""];
  if (m === null || unit === undefined || Number(m[1]) <= 0) throw new Error(`--duration: expected e.g. 30s, 2m or 1h, got "${raw}"`);
  return Number(m[1]) * unit;
}

/** mulberry32: a small seeded PRNG, so a run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(mix: readonly TrafficKind[], random: () => number): TrafficKind {
  const total = mix.reduce((n, k) => n + k.weight, 0);
  let x = random() * total;
  for (const kind of mix) {
    x -= kind.weight;
    if (x < 0) return kind;
  }
  const last = mix.at(-1);
  if (last === undefined) throw new Error("empty traffic mix");
  return last;
}

/** The dispatcher's answer, classified as the expectation it matches. */
export function classify(status: number, code: string | null): Expectation | `other ${number}` {
  if (status >= 200 && status < 300) return "ok";
  if (status === 503 && code === "cpu_limit_exceeded") return "cpu";
  if (status === 503 && code === "subrequest_limit_exceeded") return "subrequests";
  if (status === 500 && code === "tenant_exception") return "exception";
  if (status === 404 && code === "tenant_not_found") return "not_found";
  return `other ${status}`;
}

export interface TrafficOptions {
  /** The dispatcher's origin, e.g. http://127.0.0.1:8787. */
  dispatcher: string;
  durationMs: number;
  /** Requests per second, over all workers together. */
  rate: number;
  concurrency: number;
  seed: number;
  mix?: readonly TrafficKind[];
  /** Called about once a second, and at the end. */
  onProgress?: (stats: TrafficStats, elapsedMs: number) => void;
  signal?: AbortSignal;
}

export interface TrafficStats {
  sent: number;
  /** By classified answer: ok, exception, cpu, subrequests, not_found, other <status>, network error. */
  answers: Record<string, number>;
  /** Answers that differ from what the request was meant to produce. */
  unexpected: number;
  byKind: Record<string, number>;
  /** Invocations the tenants ran (everything but unknown tenants and network errors). */
  invocations: number;
}

async function errorCode(res: Response): Promise<string | null> {
  const text = await res.text();
  if (res.ok) return null;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "error" in body && typeof body.error === "object" && body.error !== null && "code" in body.error) {
      return String(body.error.code);
    }
  } catch {
    // Not our JSON error: classified by status alone.
  }
  return null;
}

export async function runTraffic(opts: TrafficOptions): Promise<TrafficStats> {
  const mix = opts.mix ?? DEMO_MIX;
  const random = seededRandom(opts.seed);
  const stats: TrafficStats = { sent: 0, answers: {}, unexpected: 0, byKind: {}, invocations: 0 };
  const started = performance.now();
  const intervalMs = 1000 / opts.rate;
  let next = 0;
  let lastReport = 0;
  const bump = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  // A function, not a property test, so the check after an await is not narrowed away.
  const aborted = (): boolean => opts.signal?.aborted === true;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (aborted()) return;
      // One shared schedule: each request takes the next slot, so the rate holds for any concurrency.
      const slot = next++ * intervalMs;
      if (slot >= opts.durationMs) return;
      const wait = slot - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const kind = pick(mix, random);
      stats.sent++;
      bump(stats.byKind, kind.name);
      let answer: string;
      try {
        const res = await fetch(new URL(kind.path(random), opts.dispatcher), { signal: opts.signal ?? null });
        answer = classify(res.status, await errorCode(res));
      } catch {
        if (aborted()) return;
        answer = "network error";
      }
      bump(stats.answers, answer);
      if (answer !== kind.expect) stats.unexpected++;
      if (answer !== "not_found" && answer !== "network error") stats.invocations++;
      const elapsed = performance.now() - started;
      if (elapsed - lastReport >= 1000) {
        lastReport = elapsed;
        opts.onProgress?.(stats, elapsed);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  opts.onProgress?.(stats, performance.now() - started);
  return stats;
}
