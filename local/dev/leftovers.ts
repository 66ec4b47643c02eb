/**
 * What a crashed `pnpm dev` leaves behind. A runner killed with SIGKILL cannot stop
 * its workerd processes, and they keep the ports. Every workerd a stack starts
 * carries the stack's tag in its environment; the runner records the tag and its own
 * pid in the state folder; the next runner finds processes with that tag whose
 * runner is gone, ends them, and says so. A runner that is still alive is left alone.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environOf, workerdWithEnv } from "./tenants/cpu.ts";

export const STACK_TAG_VARIABLE = "TENANTSCOPE_STACK";
/** In the folder that holds the state folder: `--fresh` wipes the state folder itself. */
const PID_FILE = "dev.pid.json";

interface PidRecord {
  pid: number;
  tag: string;
  startedAt: string;
}

export interface Leftovers {
  /** The earlier runner, if its record was found. */
  runnerPid: number | null;
  /** workerd processes of that stack that were still running, now ended. */
  ended: number[];
}

export class RunnerAliveError extends Error {
  override name = "RunnerAliveError";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

/** workerd processes whose environment holds `TENANTSCOPE_STACK=<tag>`. */
export function taggedWorkerd(tag: string): number[] {
  return workerdWithEnv(`${STACK_TAG_VARIABLE}=${tag}`);
}

function readRecord(stateDir: string): PidRecord | null {
  try {
    const value: unknown = JSON.parse(readFileSync(join(stateDir, PID_FILE), "utf8"));
    if (typeof value !== "object" || value === null) return null;
    const { pid, tag, startedAt } = value as Record<string, unknown>;
    if (typeof pid !== "number" || typeof tag !== "string" || typeof startedAt !== "string") return null;
    return { pid, tag, startedAt };
  } catch {
    return null;
  }
}

/**
 * Ends the processes of an earlier stack on this state folder whose runner died.
 * Throws RunnerAliveError when that runner still runs (two stacks would share state).
 */
export async function endLeftovers(stateDir: string): Promise<Leftovers> {
  const record = readRecord(stateDir);
  if (record === null) return { runnerPid: null, ended: [] };
  if (record.pid !== process.pid && alive(record.pid) && environOf(record.pid).includes(`${STACK_TAG_VARIABLE}=${record.tag}`)) {
    throw new RunnerAliveError(
      `another pnpm dev (pid ${record.pid}, started ${record.startedAt}) is running on ${stateDir}. Stop it first (Ctrl-C in its terminal, or kill ${record.pid}).`,
    );
  }
  const ended = taggedWorkerd(record.tag);
  for (const pid of ended) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  // The ports are free once the processes are reaped; give the kernel a moment.
  const deadline = Date.now() + 5_000;
  while (ended.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  rmSync(join(stateDir, PID_FILE), { force: true });
  return { runnerPid: record.pid, ended };
}

/**
 * Records this runner and returns the tag its workerd processes must carry. The tag
 * is also put in this process's own environment, so a later runner can check that
 * the recorded pid is really a tenantscope runner and not a reused pid.
 */
export function recordRunner(stateDir: string): string {
  const tag = randomUUID();
  process.env[STACK_TAG_VARIABLE] = tag;
  mkdirSync(stateDir, { recursive: true });
  const record: PidRecord = { pid: process.pid, tag, startedAt: new Date().toISOString() };
  writeFileSync(join(stateDir, PID_FILE), `${JSON.stringify(record)}\n`);
  return tag;
}

export function forgetRunner(stateDir: string): void {
  const record = readRecord(stateDir);
  if (record?.pid === process.pid) rmSync(join(stateDir, PID_FILE), { force: true });
}
