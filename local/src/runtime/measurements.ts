/**
 * What the stand-in measured for each tenant invocation, kept until the
 * invocation's trace arrives at the tail relay. Local traces carry
 * cpuTime = wallTime = 0, and the runtime cannot know about a CPU limit the
 * stand-in enforced after the fact; this is where the relay learns both.
 * The namespace entrypoint and the relay run in this Worker's one isolate, so
 * a module-level map is the shared state.
 */
import { ExpiringMap } from "@tenantscope/core/expiring";
import type { ScriptRecord } from "../store/types.ts";

export interface Measurement {
  startedAt: number;
  cpuMs: number;
  wallMs: number;
  /** The stand-in failed the invocation for CPU after it had returned. */
  exceededCpu: boolean;
  done: boolean;
}

interface Entry {
  m: Measurement;
  /** What the invocation ran (the script record at call time). */
  owner: ScriptRecord;
}

/** A trace nobody claims (no tail consumer) must not pin its entry forever. */
const entries = new ExpiringMap<Entry>(5 * 60_000);

export function startMeasurement(id: string, now: number, owner: ScriptRecord): void {
  entries.set(id, { m: { startedAt: now, cpuMs: 0, wallMs: 0, exceededCpu: false, done: false }, owner }, now);
}

/** The owner recorded when the invocation started, without waiting for its end. */
export function ownerOf(id: string): ScriptRecord | undefined {
  return entries.get(id)?.owner;
}

export function recordCpu(id: string, cpuMs: number, exceededCpu: boolean): void {
  const entry = entries.get(id);
  if (entry === undefined) return;
  entry.m.cpuMs = cpuMs;
  entry.m.exceededCpu = exceededCpu;
}

/** The invocation is over (body read, dropped, or the call failed). */
export function finishMeasurement(id: string, now: number): void {
  const entry = entries.get(id);
  if (entry === undefined || entry.m.done) return;
  entry.m.wallMs = Math.max(0, now - entry.m.startedAt);
  entry.m.done = true;
}

/** How often a trace that came before its invocation's end looks again. */
const POLL_MS = 2;

/**
 * The measurement for `id`, once the invocation is over or `timeoutMs` has
 * passed (a client that never reads the body); removed from the map. The relay
 * looks again on timers of its own rather than waiting for a wake-up from the
 * invocation's request: a promise settled from another request is cross-request in
 * workerd (measured: "a promise was resolved ... from a different request context").
 * A trace usually arrives after its invocation has ended, so this rarely waits.
 */
export async function takeMeasurement(id: string, timeoutMs: number): Promise<Measurement | undefined> {
  const entry = entries.get(id);
  if (entry === undefined) return undefined;
  const deadline = Date.now() + timeoutMs;
  while (!entry.m.done && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  if (!entry.m.done) entry.m.wallMs = Math.max(0, Date.now() - entry.m.startedAt);
  entries.delete(id);
  return entry.m;
}

export function dropMeasurement(id: string): void {
  entries.delete(id);
}
