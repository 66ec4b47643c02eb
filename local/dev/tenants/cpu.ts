/**
 * CPU time of a workerd process's JavaScript thread, from Linux's scheduler
 * statistics. workerd runs every isolate of a process on its main thread (tid =
 * pid); `schedstat`'s first field is the nanoseconds that thread has spent on a
 * CPU, so a descheduled or waiting thread accrues nothing.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Nanoseconds on CPU of the process's main thread; NaN once the process is gone. */
export function mainThreadCpuNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

/** Whether this machine can measure it at all (Linux with /proc). */
export function canMeasureCpu(): boolean {
  return Number.isFinite(mainThreadCpuNs(process.pid));
}

/**
 * The workerd process whose environment holds `TENANTSCOPE_TENANT_PROCESS=<tag>`.
 * Miniflare does not expose its runtime's pid, and starts workerd anew after a
 * crash, so the tag (passed through `unsafeRuntimeEnv`) is how we find it again.
 */
export function findTaggedProcess(tag: string): number | undefined {
  const marker = `${TAG_VARIABLE}=${tag}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/comm`, "utf8").startsWith("workerd")) continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker)) return Number(entry);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return undefined;
}

export const TAG_VARIABLE = "TENANTSCOPE_TENANT_PROCESS";
