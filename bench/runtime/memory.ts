/**
 * `pnpm bench -- --only memory [--memory-minutes 30]`: RSS of every process of the
 * stack (this Node process, which also runs the supervisor; the platform's workerd;
 * the tenant processes' workerd) at a steady 20 req/s of the demo mix, after a
 * warm-up, sampled every 30 s; prints each process's slope in MB per minute. Every
 * 5 minutes it also reads each platform Worker's reachable JS heap (local/dev/heaps.ts:
 * collected by the stack's own collector, platform-gc.ts, with no snapshot), so a
 * leak in a Worker's code shows as that Worker's heap growing, apart from workerd's
 * native memory; each tenant process's host isolate twice, between invocations: as V8
 * holds it (garbage included, what a late major GC lets pile up) and reachable; and
 * after the load, a minute idle shows what RSS gives back.
 */
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeKinds } from "./load.ts";
import { openLoopElsewhere } from "./load-child.ts";
import type { Slot } from "../../local/dev/tenants/slot.ts";
import { startBenchStack } from "./setup.ts";
import { collectedHeaps, workerHeaps, workerHeapsNow, type HeapFigure } from "../../local/dev/heaps.ts";
import { freePort } from "../../local/dev/ports.ts";

export interface MemoryOptions {
  minutes: number;
  warmupMinutes: number;
  rate: number;
  /** Open the tenant processes' inspectors to read their host heaps (the default). */
  tenantHeaps: boolean;
}


const HEAP_EVERY_MS = 5 * 60_000;

/** `field` of /proc/<pid>/status in MB (VmRSS; RssAnon is malloc and V8, RssFile mostly the binary). */
export function rssMb(pid: number, field = "VmRSS"): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
    return Number(line?.replace(/\D+/g, " ").trim().split(" ")[0] ?? "0") / 1024;
  } catch {
    return Number.NaN;
  }
}

/** workerd children of this process. */
function workerdChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && stat.includes("(workerd)")) found.push(Number(entry));
    } catch {
      // Gone.
    }
  }
  return found;
}

/** Every process of the stack by role; a tenant process keeps its label across restarts (new pid). */
export function processes(slots: readonly Slot[]): Map<string, number> {
  const found = new Map<string, number>([["node (runner, supervisor)", process.pid]]);
  const tenantPids = new Set<number>();
  for (const slot of slots) {
    if (slot.process.pid === undefined) continue;
    tenantPids.add(slot.process.pid);
    found.set(`tenant process :${slot.process.port}`, slot.process.pid);
  }
  const platform = workerdChildren().filter((pid) => !tenantPids.has(pid));
  platform.forEach((pid, i) => found.set(platform.length === 1 ? "platform workerd" : `platform workerd #${i + 1}`, pid));
  return found;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function runMemory(options: MemoryOptions): Promise<void> {
  console.log(`memory: RSS per process at ${options.rate} req/s of the demo mix, ${options.warmupMinutes} min warm-up, then ${options.minutes} min`);
  // On disk, as `pnpm dev` keeps it: in memory, the stored points themselves would grow RSS.
  const state = await mkdtemp(join(tmpdir(), "tenantscope-memory-"));
  const inspectorPort = await freePort();
  // The stack's default two tenant processes.
  const tenantInspectorPorts = options.tenantHeaps ? [await freePort(), await freePort()] : [];
  const bench = await startBenchStack(state, { inspectorPort, ...(options.tenantHeaps ? { tenantInspectorPorts } : {}) });
  try {
    const base = bench.stack.urls.dispatcher;
    await openLoopElsewhere(base, options.rate, options.warmupMinutes * 60);
    const started = Date.now();
    const samples = new Map<string, [number, number][]>();
    const heaps = new Map<string, [number, number][]>();
    let heapsAt = -Infinity;
    const sampleHeaps = async (): Promise<void> => {
      heapsAt = Date.now();
      const minute = (heapsAt - started) / 60_000;
      const record = (label: string, figure: HeapFigure): void => {
        const list = heaps.get(label) ?? [];
        list.push([minute, figure.usedMb]);
        heaps.set(label, list);
      };
      // The stack's own collector's figures: a snapshot's native memory would stay in RSS (heaps.ts collectedHeaps).
      for (const figure of await (bench.stack.platformGc?.collectNow() ?? workerHeaps(inspectorPort))) record(figure.worker, figure);
      // The tenant host's isolate, read between invocations (Slot.exclusive): garbage included first, then reachable.
      for (const [i, slot] of bench.stack.supervisor.slots.entries()) {
        const port = tenantInspectorPorts[i];
        if (port === undefined) continue;
        const now = await slot.exclusive(() => workerHeapsNow(port)).catch(() => []);
        // The pings of exclusive() give the host its turns, in which it runs the GC asked for.
        const reachable = await slot.exclusive(() => collectedHeaps(port)).catch(() => []);
        for (const f of now) record(`${f.worker} :${slot.process.port} (garbage included)`, f);
        for (const f of reachable) record(`${f.worker} :${slot.process.port}`, f);
      }
    };
    let unexpected = 0;
    let loadRssMb = 0;
    const kinds = new Map<string, number>();
    const sample = (): void => {
      const minute = (Date.now() - started) / 60_000;
      for (const [label, pid] of processes(bench.stack.supervisor.slots)) {
        const list = samples.get(label) ?? [];
        list.push([minute, rssMb(pid)]);
        samples.set(label, list);
      }
    };
    sample();
    // This process's own share: its JS heap and buffers, apart from its native memory.
    const nodeBefore = process.memoryUsage();
    const platformPid = (): number | undefined => processes(bench.stack.supervisor.slots).get("platform workerd");
    const anonBefore = rssMb(platformPid() ?? 0, "RssAnon");
    while (Date.now() - started < options.minutes * 60_000) {
      const run = openLoopElsewhere(base, options.rate, 30);
      // Under load: an idle isolate would not be heard from (see local/dev/heaps.ts), and the GC of a snapshot is short.
      if (Date.now() - heapsAt >= HEAP_EVERY_MS) await sampleHeaps();
      const done = await run;
      unexpected += done.unexpected;
      loadRssMb = Math.max(loadRssMb, done.maxRssMb);
      for (const [k, v] of done.kinds) kinds.set(k, (kinds.get(k) ?? 0) + v);
      sample();
    }
    const final = openLoopElsewhere(base, options.rate, 10);
    await sampleHeaps();
    await final;
    const anonAfter = rssMb(platformPid() ?? 0, "RssAnon");
    for (const [label, points] of samples) {
      const first = points[0]?.[1] ?? Number.NaN;
      const last = points[points.length - 1]?.[1] ?? Number.NaN;
      console.log(`  ${label}: ${first.toFixed(0)} → ${last.toFixed(0)} MB (${(last - first).toFixed(1)} MB), slope ${slope(points).toFixed(2)} MB/min over ${points.length} samples`);
    }
    console.log(`  the load process (not the stack's; a new one each 30 s): at most ${loadRssMb.toFixed(0)} MB`);
    console.log(`  platform workerd, anonymous memory (malloc and V8): ${anonBefore.toFixed(0)} → ${anonAfter.toFixed(0)} MB`);
    const nodeAfter = process.memoryUsage();
    const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    console.log(`  node: JS heap used ${mb(nodeBefore.heapUsed)} → ${mb(nodeAfter.heapUsed)} MB (total ${mb(nodeBefore.heapTotal)} → ${mb(nodeAfter.heapTotal)}), external ${mb(nodeBefore.external)} → ${mb(nodeAfter.external)} MB, array buffers ${mb(nodeBefore.arrayBuffers)} → ${mb(nodeAfter.arrayBuffers)} MB`);
    for (const [worker, points] of heaps) {
      const first = points[0]?.[1] ?? Number.NaN;
      const last = points[points.length - 1]?.[1] ?? Number.NaN;
      console.log(`  JS heap of ${worker}${worker.endsWith("(garbage included)") ? "" : " after GC"}: ${first.toFixed(2)} → ${last.toFixed(2)} MB, slope ${(slope(points) * 1024).toFixed(1)} KB/min over ${points.length} samples`);
    }
    await new Promise((r) => setTimeout(r, 60_000));
    const idle = [...processes(bench.stack.supervisor.slots)].map(([label, pid]) => `${label} ${rssMb(pid).toFixed(0)} MB`).join(", ");
    console.log(`  after 1 min idle: ${idle}`);
    const restarts = bench.stack.supervisor.slots.map((slot) => `:${slot.process.port} ${slot.kills} kill(s), ${slot.gcs} host GCs`).join(", ");
    console.log(`  tenant process kills: ${restarts}`);
    console.log(`  unexpected answers: ${unexpected}${unexpected > 0 ? ` (${describeKinds(kinds)})` : ""}`);
    const errorLines = bench.logs.filter((l) => /error|uncaught|hung|different request/i.test(l));
    console.log(`  runtime error lines in the log: ${errorLines.length}`);
    for (const line of bench.logs.filter((l) => l.includes("tenant supervisor:"))) console.log(`  ${line}`);
  } finally {
    await bench.stack.dispose();
    await rm(state, { recursive: true, force: true });
  }
}
