/**
 * The supervisor's watchdog: every few ms it looks at each process's running
 * invocation and kills the process of one that is past its CPU limit plus a grace,
 * so a `for(;;){}` ends with production's CPU error. An invocation that waits on I/O
 * (its thread was not busy the whole time) may be past only because of its
 * subrequests, which are not charged: the host is asked how many it made first.
 */
import { askSubrequests } from "./host-client.ts";
import type { Running, Slot } from "./slot.ts";

export const WATCHDOG_MS = 2;
/**
 * How long the host may take to say how many subrequests an invocation made. A thread
 * that cannot answer in this time is running the tenant's code, not waiting on I/O.
 */
export const ASK_MS = 10;
/**
 * The watchdog asks again only once the charge has grown this much since the last
 * answer: each question costs the thread (and so the invocation) a fraction of a ms.
 */
const ASK_STEP_MS = 5;
/**
 * A thread on CPU this share of the invocation's wall time was not waiting on I/O.
 * Well under 1: the clock of a running thread lags by up to a scheduler tick (4 ms),
 * and the request's own way in counts as wall time.
 */
const BUSY_SHARE = 0.75;

/**
 * An invocation fails for CPU once its charge passes limit + grace: killed if still
 * running, failed after the fact otherwise. The grace absorbs the thread clock's rare
 * spikes (GC, kernel work, a slower machine for a while; 5-19 ms in about 0.2% of
 * trivial requests), which would otherwise fail innocent cheap requests on small limits.
 */
export function graceMs(limitMs: number): number {
  return Math.max(10, limitMs * 0.2);
}

export function overLimit(used: number, limitMs: number): boolean {
  return used > limitMs + graceMs(limitMs);
}

/** Whether the thread was on CPU nearly all the invocation's wall time (no I/O wait to explain). */
function busyThroughout(slot: Slot, running: Running): boolean {
  const cpuMs = (slot.process.cpuNs() - running.startNs) / 1e6;
  return cpuMs >= BUSY_SHARE * (performance.now() - running.startedAt);
}

export function startWatchdog(slots: readonly Slot[], log: (line: string) => void): () => void {
  const kill = (slot: Slot, running: Running, used: number): void => {
    running.killedAtMs = used;
    log(`tenant supervisor: killed the tenant process on port ${slot.process.port}: ${running.isolate} used ${used.toFixed(1)} ms of CPU, over ${running.limitMs} ms + grace (${slot.describe(running)})`);
    slot.kills += 1;
    slot.process.kill();
  };

  const ask = (slot: Slot, running: Running): void => {
    running.askedAt = performance.now();
    void askSubrequests(slot, running.id, ASK_MS).then((made) => {
      running.askedAt = null;
      if (slot.current !== running || running.killedAtMs !== null) return;
      const known = running.subrequests;
      if (made !== null && made > known) running.subrequests = made;
      const used = slot.usedMs(running);
      running.answeredAtMs = used;
      // No new subrequest to explain the charge, or still past it net of them.
      if (overLimit(used, running.limitMs) && (made === null || made <= known)) kill(slot, running, used);
    });
  };

  const timer = setInterval(() => {
    for (const slot of slots) {
      const running = slot.current;
      if (running === null || running.killedAtMs !== null || !Number.isFinite(running.limitMs)) continue;
      const used = slot.usedMs(running);
      // Past the limit itself, an invocation that waits on I/O is asked ahead, so that the
      // answer is in by the time it reaches the grace.
      if (used <= running.limitMs) continue;
      const over = overLimit(used, running.limitMs);
      if (running.askedAt !== null) {
        // The answer is late: its thread is busy with the tenant's code.
        if (over && performance.now() - running.askedAt > 2 * ASK_MS) kill(slot, running, used);
        continue;
      }
      const waiting = slot.subrequestMs > 0 && !busyThroughout(slot, running);
      if (waiting && used - running.answeredAtMs >= ASK_STEP_MS) ask(slot, running);
      else if (over) kill(slot, running, used);
    }
  }, WATCHDOG_MS);
  timer.unref();
  return () => clearInterval(timer);
}
