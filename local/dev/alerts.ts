/**
 * The alert evaluator on a short interval: production runs it from a cron trigger
 * every minute, which Miniflare does not fire by itself; the runner calls the same
 * scheduled handler every `intervalMs` (pnpm dev: 10 s, `--alerts-interval`). A run
 * never overlaps the previous one, and a failing run is reported once until it
 * changes, so a broken evaluator does not flood the terminal.
 */
import type { Miniflare } from "miniflare";
import { ALERTS_WORKER } from "./options.ts";

export interface AlertTicker {
  /** Runs one evaluation now (between ticks), answering its outcome. */
  tick(): Promise<string>;
  stop(): Promise<void>;
}

export function startAlertTicker(mf: () => Miniflare, intervalMs: number, log: (line: string) => void): AlertTicker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<string> = Promise.resolve("ok");
  let stopped = false;
  let lastProblem = "";
  const once = async (): Promise<string> => {
    let outcome: string;
    try {
      const worker = await mf().getWorker(ALERTS_WORKER);
      const result = await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
      outcome = result.outcome;
    } catch (error) {
      outcome = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    const problem = outcome === "ok" ? "" : outcome;
    if (problem !== lastProblem) log(problem === "" ? "the alert evaluator runs again" : `the alert evaluator's scheduled run ended "${problem}" (its errors are in this terminal)`);
    lastProblem = problem;
    return outcome;
  };
  const tick = (): Promise<string> => {
    running = running.then(once);
    return running;
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().then(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
