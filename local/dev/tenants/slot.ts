/**
 * A tenant process and the one invocation it runs at a time. One at a time is what
 * makes the thread's CPU the tenant's: nothing else runs on that thread meanwhile,
 * and a kill stops only the invocation that earned it.
 */
import { HOST_PATHS } from "../../host/src/run-protocol.ts";
import type { Schedstat } from "./cpu.ts";
import type { TenantProcess } from "./process.ts";

export interface Running {
  /** The invocation id (the host's key for its subrequest count). */
  id: string;
  isolate: string;
  /** The invocation's CPU limit, ms (Infinity = none). */
  limitMs: number;
  /** The thread's CPU, ns, when the invocation started. */
  startNs: number;
  /** The thread's page faults, wait for a CPU and timeslices when it started (for the log of a kill). */
  startFaults: number;
  startSched: Schedstat;
  /** Wall clock (performance.now()) when it started. */
  startedAt: number;
  /** Subrequests it is known to have made: their calibrated cost is not charged. */
  subrequests: number;
  /** The watchdog's question to the host about them, while unanswered: when it was asked. */
  askedAt: number | null;
  /** The charge when the host last answered it (-Infinity before any answer). */
  answeredAtMs: number;
  /** Set by the watchdog when it killed the process for this invocation. */
  killedAtMs: number | null;
  /** The isolate's first call in this process (just warmed). */
  fresh: boolean;
}

export class Slot {
  readonly process: TenantProcess;
  /** Isolates loaded in the process since its last (re)start. */
  private readonly warmed = new Set<string>();
  private warmedGeneration = 0;
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  current: Running | null = null;
  /** The process's own CPU per invocation, subtracted from each charge (supervisor's calibration). */
  baselineMs = 0;
  /** What one subrequest costs the thread (gate, loopback HTTP), not charged (supervisor's calibration). */
  subrequestMs = 0;
  /** The process generation whose host code has been warmed (calibration runs at start do it too). */
  hostWarmGeneration = 0;
  kills = 0;
  /** Restarts for memory (supervisor's recycleIfLarge). */
  recycles = 0;
  served = 0;
  /** Invocations since the host isolate's last collection (supervisor, HOST_GC_EVERY). */
  sinceGc = 0;
  /** Collections of the host isolate's garbage between invocations. */
  gcs = 0;
  /**
   * Resolves once the trace of invocation `id` has left the process (or after a short
   * wait): the supervisor holds the slot until then. Resolves at once when the
   * supervisor relays no traces.
   */
  traceLeft: (id: string) => Promise<boolean> = () => Promise.resolve(true);
  /** Invocations whose trace had not left when the wait ended (`ctx.waitUntil` work, a slow moment). */
  tracesLate = 0;
  /** Its host cannot collect (V8 flags without the one it needs): not asked again. */
  gcUnavailable = false;

  constructor(process: TenantProcess) {
    this.process = process;
  }

  /** What the supervisor's status route shows of it. */
  status(): Record<string, number | null> {
    return { port: this.process.port, pid: this.process.pid ?? null, load: this.load(), served: this.served, kills: this.kills, gcs: this.gcs, recycles: this.recycles, tracesLate: this.tracesLate, rssMb: Math.round(this.process.rssBytes() / 2 ** 20), baselineMs: this.baselineMs, subrequestMs: this.subrequestMs };
  }

  /** Invocations holding or waiting for this slot. */
  load(): number {
    return (this.busy ? 1 : 0) + this.waiting.length;
  }

  isWarm(isolate: string): boolean {
    if (this.warmedGeneration !== this.process.generation) {
      this.warmed.clear();
      this.warmedGeneration = this.process.generation;
    }
    return this.warmed.has(isolate);
  }

  /** Isolates loaded since the process's last (re)start. */
  loadedCount(): number {
    return this.warmedGeneration === this.process.generation ? this.warmed.size : 0;
  }

  /**
   * The last run header of each isolate that ran here, to collect isolates other than
   * the one that just ran, in turn (host-client.ts collectIfDue).
   */
  private readonly runs = new Map<string, string>();
  private rotation = 0;

  rememberRun(isolate: string, raw: string): void {
    if (this.runs.size > 1_000 && !this.runs.has(isolate)) this.runs.clear();
    this.runs.set(isolate, raw);
  }

  /** The next loaded isolate in turn other than `except`, as its run header. */
  nextToCollect(except: string): string | undefined {
    const candidates = [...this.runs].filter(([isolate]) => isolate !== except && this.isWarm(isolate));
    if (candidates.length === 0) return undefined;
    this.rotation = (this.rotation + 1) % candidates.length;
    return candidates[this.rotation]?.[1];
  }

  markWarm(isolate: string, generation: number): void {
    if (generation !== this.process.generation) return;
    // Marked before any isWarm() of this generation: what is in the set is the old process's.
    if (this.warmedGeneration !== generation) {
      this.warmed.clear();
      this.warmedGeneration = generation;
    }
    // A long-lived dev stack loads many script versions; forgetting old ones only costs a warm-up.
    if (this.warmed.size > 10_000) this.warmed.clear();
    this.warmed.add(isolate);
  }

  async acquire(): Promise<void> {
    if (this.busy) await new Promise<void>((wake) => this.waiting.push(wake));
    this.busy = true;
  }

  release(): void {
    this.current = null;
    const next = this.waiting.shift();
    if (next === undefined) this.busy = false;
    else next();
  }

  /**
   * Runs `read` (an inspector reading: a heap snapshot takes the process's thread for
   * 100+ ms) while no invocation runs here, so none is charged for it or killed; the
   * host is pinged meanwhile, since an isolate with nothing to do does not answer the inspector.
   */
  async exclusive<T>(read: () => Promise<T>): Promise<T> {
    await this.acquire();
    this.current = null;
    const ping = (): void => void fetch(`${this.process.url}${HOST_PATHS.ping}`).then((res) => res.arrayBuffer(), () => undefined);
    const pinging = setInterval(ping, 10);
    try {
      await this.process.whenReady();
      return await read();
    } finally {
      clearInterval(pinging);
      this.release();
    }
  }

  /**
   * workerd never unloads a Worker Loader isolate, so a process that has run or probed
   * many script versions (about 1 MB each) is restarted between invocations (the slot
   * held); the versions still in use load again on their next call, unbilled. A
   * process holding a single version is left alone, however large.
   */
  recycleIfLarge(limitBytes: number, log: (line: string) => void): void {
    const rss = this.process.rssBytes();
    // One big script alone past the bound would be reloaded after every call: keep it.
    if (rss < limitBytes || this.loadedCount() < 2) return;
    log(`tenant supervisor: restarting the tenant process on port ${this.process.port}: ${Math.round(rss / 2 ** 20)} MB resident, over ${Math.round(limitBytes / 2 ** 20)} MB`);
    this.recycles += 1;
    this.process.kill();
  }

  /** An invocation (or a load) starting now on the process's thread: it becomes `current`. */
  begin(start: Pick<Running, "id" | "isolate" | "limitMs" | "fresh">): Running {
    // One reading of schedstat for the charge's start and the log's.
    const sched = this.process.sched();
    const running: Running = { ...start, startNs: sched.cpuNs, startFaults: this.process.faults(), startSched: sched, startedAt: performance.now(), subrequests: 0, askedAt: null, answeredAtMs: Number.NEGATIVE_INFINITY, killedAtMs: null };
    this.current = running;
    return running;
  }

  /** What the log says of an invocation charged past its limit: how it ran. */
  describe(running: Running): string {
    const faults = this.process.faults() - running.startFaults;
    const wall = performance.now() - running.startedAt;
    const sched = this.process.sched();
    const slices = sched.slices - running.startSched.slices;
    const waitMs = (sched.waitNs - running.startSched.waitNs) / 1e6;
    const known = (n: number, text: string): string => (Number.isFinite(n) ? text : "?");
    return `${running.fresh ? "its first call in this process" : "warm"}, ${wall.toFixed(0)} ms of wall time, ${running.subrequests} subrequest(s), ${known(faults, String(faults))} page fault(s), ${known(slices, String(slices))} timeslice(s), ${known(waitMs, waitMs.toFixed(0))} ms waiting for a CPU, ${this.sinceGc} invocation(s) since the last garbage collection`;
  }

  /** CPU ms the running invocation has used so far, less the process's own per-request work and its subrequests'. */
  usedMs(running: Running): number {
    return Math.max(0, (this.process.cpuNs() - running.startNs) / 1e6 - this.baselineMs - running.subrequests * this.subrequestMs);
  }
}

/** The least loaded slot; on a tie, one where the isolate is already loaded. */
export function pickSlot(slots: readonly Slot[], isolate: string): Slot {
  let best: Slot | undefined;
  for (const slot of slots) {
    if (best === undefined) best = slot;
    else if (slot.load() < best.load() || (slot.load() === best.load() && slot.isWarm(isolate) && !best.isWarm(isolate))) best = slot;
  }
  if (best === undefined) throw new Error("no tenant process");
  return best;
}
