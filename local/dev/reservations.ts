/**
 * Ports reserved across processes for freePort (ports.ts). Several stacks start at
 * once (the e2e tests run files in parallel, a benchmark runs beside `pnpm dev`), each
 * choosing ports before workerd binds them seconds later; a file per port, created
 * exclusively, keeps two of them from choosing the same one in that window.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DIRECTORY = join(tmpdir(), "tenantscope-ports");
/** Longer than a stack takes to bind what it chose (a busy machine: tens of seconds). */
const HOLD_MS = 10 * 60_000;
/** Below here are the well-known ports and our defaults (8787-8789). */
const LOWEST = 10_000;
/** Linux's default start of the ephemeral range; macOS starts at 49152. */
const EPHEMERAL_START_DEFAULT = process.platform === "linux" ? 32_768 : 49_152;

let swept = false;

function ephemeralStart(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1_000 ? first : EPHEMERAL_START_DEFAULT;
  } catch {
    return EPHEMERAL_START_DEFAULT;
  }
}

/** A random port in [LOWEST, start of the ephemeral range). */
export function candidatePort(): number {
  const top = ephemeralStart();
  return LOWEST + Math.floor(Math.random() * (top - LOWEST));
}

function isStale(path: string, now: number): boolean {
  try {
    return now - statSync(path).mtimeMs > HOLD_MS;
  } catch {
    return true;
  }
}

/** Old reservations go, once per process, so the folder does not fill up. */
function sweep(now: number): void {
  if (swept) return;
  swept = true;
  for (const name of readdirSync(DIRECTORY)) {
    const path = join(DIRECTORY, name);
    if (isStale(path, now)) unlinkSafe(path);
  }
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Another process swept it first.
  }
}

/** True when this process now holds `port` (for HOLD_MS); false when another does. */
export function reservePort(port: number): boolean {
  const now = Date.now();
  mkdirSync(DIRECTORY, { recursive: true });
  sweep(now);
  try {
    closeSync(openSync(join(DIRECTORY, String(port)), "wx"));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
