/**
 * Load for the runtime benchmark: requests over keep-alive node:http (path routing,
 * so no Host games), open loop at a fixed rate or closed bursts, each answer checked
 * against what its request was meant to produce; and busy processes to load the machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

export interface Probe {
  path: string;
  /** The status the request must get; anything else is an unexpected answer. */
  expect: number;
}

/** The demo tenants as `pnpm demo` exercises them, with the answer each must get. */
export const DEMO_MIX: readonly Probe[] = [
  { path: "/hello/", expect: 200 },
  { path: "/cpu-burner/?ms=5", expect: 200 },
  { path: "/fanout/?n=3", expect: 200 },
  { path: "/thrower/", expect: 500 },
  { path: "/chatty/?lines=2", expect: 200 },
  { path: "/legacy-sw/", expect: 200 },
];

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export function get(base: string, path: string, headers: Record<string, string> = {}, timeoutMs = 30_000, retried = false): Promise<Answer> {
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started }));
      res.on("error", () => resolve({ status: 0, body: "response error", ms: performance.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => {
      // The keep-alive race: the server closed an idle connection as this request went out
      // on it, so the server never saw it (Node's documented case for a retry).
      if (req.reusedSocket && (e as NodeJS.ErrnoException).code === "ECONNRESET" && !retried) return void get(base, path, headers, timeoutMs, true).then(resolve);
      resolve({ status: 0, body: String(e), ms: performance.now() - started });
    });
    req.end();
  });
}

export interface RunResult {
  sent: number;
  unexpected: number;
  /** The unexpected answers, by "expected→got: body start". */
  kinds: Map<string, number>;
  latencies: number[];
  seconds: number;
  /** Every answer, by "path status" (status 0: no answer, as a timeout or a reset). */
  answers: Map<string, number>;
}

function record(result: RunResult, probe: Probe, answer: Answer): void {
  result.latencies.push(answer.ms);
  const key = `${probe.path} ${answer.status}`;
  result.answers.set(key, (result.answers.get(key) ?? 0) + 1);
  if (answer.status === probe.expect) return;
  result.unexpected += 1;
  const kind = `${probe.path} ${probe.expect}→${answer.status}: ${answer.body.slice(0, 60)}`;
  result.kinds.set(kind, (result.kinds.get(kind) ?? 0) + 1);
}

/** `rate` requests per second for `seconds`, drawn round-robin from `mix`, not waiting for answers. */
export async function openLoop(base: string, mix: readonly Probe[], rate: number, seconds: number): Promise<RunResult> {
  const result: RunResult = { sent: 0, unexpected: 0, kinds: new Map(), latencies: [], seconds, answers: new Map() };
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const probe = mix[i % mix.length] ?? { path: "/", expect: 200 };
    result.sent += 1;
    pending.push(get(base, probe.path).then((a) => record(result, probe, a)));
  }
  await Promise.all(pending);
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** `rounds` bursts of `size` concurrent requests. */
export async function bursts(base: string, probe: Probe, size: number, rounds: number): Promise<RunResult> {
  const result: RunResult = { sent: 0, unexpected: 0, kinds: new Map(), latencies: [], seconds: 0, answers: new Map() };
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    result.sent += size;
    const answers = await Promise.all(Array.from({ length: size }, () => get(base, probe.path)));
    for (const a of answers) record(result, probe, a);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Two CPU-bound processes, as the "machine loaded": call the result to stop them. */
export function loadMachine(processes = 2, maxSeconds = 600): () => void {
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) {
    // Bounded by itself too (`maxSeconds`), should the benchmark die without stopping it.
    children.push(spawn(process.execPath, ["-e", `const end = Date.now() + ${Math.round(maxSeconds * 1000)}; while (Date.now() < end) {}`], { stdio: "ignore" }));
  }
  return () => {
    for (const child of children) child.kill("SIGKILL");
  };
}

export function describeKinds(kinds: ReadonlyMap<string, number>): string {
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${n}× ${k}`).join("; ");
}
