/**
 * One tenant process: a Miniflare instance of its own (so its own workerd, with its
 * own JavaScript thread) running the tenant host Worker on a fixed port. A looping
 * tenant can only be stopped by killing the process that runs it; Miniflare starts
 * workerd again by itself on the same port, and this object finds the new pid.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Miniflare, convertV4MiniflareOptions, type MiniflareOptions, type V4WorkerOptions, type WorkerdStructuredLog } from "miniflare";
import { STACK_TAG_VARIABLE } from "../leftovers.ts";
import { TAG_VARIABLE, findTaggedProcess, mainThreadCpuNs, mainThreadFaults, mainThreadSched, type Schedstat } from "./cpu.ts";
import { ensureTenantV8Flags } from "./v8-flags.ts";

import { HOST_WORKER } from "../options.ts";

/** How long a (re)started process may take to answer. */
const READY_TIMEOUT_MS = 30_000;

export interface TenantProcessOptions {
  /** The host Worker; its name and socket are set here. */
  worker: V4WorkerOptions;
  /** Fixed, so the port survives a restart. */
  port: number;
  log: (line: string) => void;
  /** What tenants print (console.log and friends). */
  tenantLog?: (line: string) => void;
  /** workerd's V8 inspector on this port (heap readings: local/dev/heaps.ts). */
  inspectorPort?: number;
}

/** Linux's page size on the machines this runs on (x86-64 and arm64 defaults). */
const PAGE_BYTES = 4096;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export class TenantProcess {
  readonly port: number;
  readonly url: string;
  /** Bumped on every kill: whatever was loaded before is gone. */
  generation = 0;
  pid: number | undefined;
  private readonly tag = randomUUID();
  private readonly mf: Miniflare;
  private readonly log: (line: string) => void;
  private readonly options: TenantProcessOptions;
  private ready: Promise<void>;

  private constructor(options: TenantProcessOptions) {
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
    this.log = options.log;
    this.options = options;
    ensureTenantV8Flags();
    this.mf = new Miniflare(this.miniflareOptions(options.worker));
    this.ready = this.mf.ready.then(() => {
      this.pid = findTaggedProcess(this.tag);
    });
  }

  private miniflareOptions(worker: V4WorkerOptions): MiniflareOptions {
    const stackTag = process.env[STACK_TAG_VARIABLE];
    return convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(this.options.inspectorPort === undefined ? {} : { inspectorPort: this.options.inspectorPort }),
      unsafeRuntimeEnv: { [TAG_VARIABLE]: this.tag, ...(stackTag === undefined ? {} : { [STACK_TAG_VARIABLE]: stackTag }) },
      ...(this.options.tenantLog === undefined ? {} : { handleStructuredLogs: ({ message }: WorkerdStructuredLog) => this.options.tenantLog?.(message) }),
      unsafeHandleRuntimeRestart: () => {
        this.pid = findTaggedProcess(this.tag);
      },
      workers: [{ ...worker, name: HOST_WORKER, unsafeDirectSockets: [{ host: "127.0.0.1", port: this.port }] }],
    });
  }

  /** Starts it anew with the host Worker's current build (watch mode). */
  async reload(): Promise<void> {
    this.generation += 1;
    this.pid = undefined;
    const done = this.mf.setOptions(this.miniflareOptions(this.options.worker)).then(() => {
      this.pid = findTaggedProcess(this.tag);
    });
    this.ready = done;
    await done;
  }

  static async start(options: TenantProcessOptions): Promise<TenantProcess> {
    const process = new TenantProcess(options);
    await process.ready;
    return process;
  }

  /** Nanoseconds of CPU its JavaScript thread has used; NaN while it is down. */
  cpuNs(): number {
    return this.pid === undefined ? Number.NaN : mainThreadCpuNs(this.pid);
  }

  /** Page faults its JavaScript thread has taken; NaN while it is down. */
  faults(): number {
    return this.pid === undefined ? Number.NaN : mainThreadFaults(this.pid);
  }

  /** Its JavaScript thread's CPU, wait for a CPU and timeslices in one reading (cpu.ts mainThreadSched). */
  sched(): Schedstat {
    return this.pid === undefined ? { cpuNs: Number.NaN, waitNs: Number.NaN, slices: Number.NaN } : mainThreadSched(this.pid);
  }

  /**
   * Its resident memory, bytes (0 while it is down). workerd keeps every isolate the
   * Worker Loader has loaded, so this grows with each script version run or probed.
   */
  rssBytes(): number {
    if (this.pid === undefined) return 0;
    try {
      const resident = Number(readFileSync(`/proc/${this.pid}/statm`, "utf8").split(" ")[1]);
      return Number.isFinite(resident) ? resident * PAGE_BYTES : 0;
    } catch {
      return 0;
    }
  }

  /** Resolves once the process answers (at once, unless it was killed). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Stops whatever runs in it now; the next `whenReady()` waits for the restart. */
  kill(): void {
    this.generation += 1;
    const pid = this.pid;
    this.pid = undefined;
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    this.ready = this.waitForRestart();
  }

  private async waitForRestart(): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < READY_TIMEOUT_MS) {
      await sleep(10);
      try {
        const res = await fetch(`${this.url}/__tenantscope/ping`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.ok) {
          this.pid ??= findTaggedProcess(this.tag);
          if (this.pid !== undefined) return;
        }
      } catch {
        // Not up yet.
      }
    }
    throw new Error(`the tenant process on port ${this.port} did not come back within ${READY_TIMEOUT_MS / 1000} s`);
  }

  async dispose(): Promise<void> {
    await this.mf.dispose();
  }
}
