/**
 * CPU time of a workerd process's JavaScript thread, from Linux's scheduler
 * statistics. workerd runs every isolate of a process on its main thread (tid =
 * pid); `schedstat`'s first field is the nanoseconds that thread has spent on a
 * CPU, so a descheduled or waiting thread accrues nothing.
 */
import { readFileSync, readdirSync } from "node:fs";

export interface Schedstat {
  /** Nanoseconds on a CPU. */
  cpuNs: number;
  /**
   * Nanoseconds runnable but waiting for a CPU, and timeslices, for the log of a kill:
   * many slices mean many separate pieces of work, a long wait a machine short of CPU.
   */
  waitNs: number;
  slices: number;
}

/** The process's main thread's `schedstat`, all three fields; NaN once the process is gone. */
export function mainThreadSched(pid: number): Schedstat {
  try {
    const [cpu, wait, slices] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ");
    return { cpuNs: Number(cpu), waitNs: Number(wait), slices: Number(slices) };
  } catch {
    return { cpuNs: Number.NaN, waitNs: Number.NaN, slices: Number.NaN };
  }
}

/** Nanoseconds on CPU of the process's main thread; NaN once the process is gone. */
export function mainThreadCpuNs(pid: number): number {
  return mainThreadSched(pid).cpuNs;
}

/**
 * Page faults (minor + major) of the process's main thread so far; NaN once it is gone.
 * A fault is kernel time on that thread, so it counts as CPU: the kill and over-limit
 * log lines name how many came during the invocation.
 */
export function mainThreadFaults(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[7]) + Number(fields[9]);
  } catch {
    return Number.NaN;
  }
}

/** Whether this machine can measure it at all (Linux with /proc). */
export function canMeasureCpu(): boolean {
  return Number.isFinite(mainThreadCpuNs(process.pid));
}

/** A process's environment, one `NAME=value` each; empty when it is gone or not ours to read. */
export function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** The workerd processes whose environment holds `marker` (`NAME=value`). */
export function workerdWithEnv(marker: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/comm`, "utf8").startsWith("workerd")) continue;
    } catch {
      // The process ended while we looked.
      continue;
    }
    if (environOf(Number(entry)).includes(marker)) found.push(Number(entry));
  }
  return found;
}

/**
 * The workerd process whose environment holds `TENANTSCOPE_TENANT_PROCESS=<tag>`.
 * Miniflare does not expose its runtime's pid, and starts workerd anew after a
 * crash, so the tag (passed through `unsafeRuntimeEnv`) is how we find it again.
 */
export function findTaggedProcess(tag: string): number | undefined {
  return workerdWithEnv(`${TAG_VARIABLE}=${tag}`)[0];
}

export const TAG_VARIABLE = "TENANTSCOPE_TENANT_PROCESS";
