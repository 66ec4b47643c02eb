/**
 * The tenant supervisor: a plain node:http server in the dev runner, between the
 * stand-in's namespace and the tenant processes. Per invocation it picks a process,
 * waits its turn there, loads the tenant's isolate unmetered, runs the request and
 * charges the CPU the process's JavaScript thread used meanwhile, less the calibrated
 * cost of its subrequests (network time is not CPU time on Cloudflare). A watchdog kills
 * the process of an invocation that runs past its limit (plus a grace for the
 * thread's rare spikes), so a `for(;;){}` ends with production's CPU error while
 * every other Worker keeps answering; the process restarts by itself.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FinalCpu } from "./final-cpu.ts";
import { headerPairs } from "./headers.ts";
import { CALIBRATION_WARMUP, DROPPED, calibrate, calibrateSubrequest, collectIfDue, warm } from "./host-client.ts";
import { TenantProcess, type TenantProcessOptions } from "./process.ts";
import {
  CPU_FINAL_HEADER,
  CPU_HEADER,
  RUN_ERROR_HEADER,
  RUN_HEADER,
  STARTUP_EXCEEDED,
  SUBREQUESTS_HEADER,
  SUPERVISOR_PATHS,
  PLATFORM_PATHS,
  parseRunHeader,
  type RunError,
  type RunHeader,
} from "../../host/src/run-protocol.ts";
import { Slot, pickSlot } from "./slot.ts";
import { TRACE_HOLD_MS, startTraceRelay, type TraceTarget } from "./traces.ts";
import { overLimit, startWatchdog } from "./watchdog.ts";
import { httpService } from "../options.ts";

export interface SupervisorOptions {
  /** Tenant processes (each runs one invocation at a time). */
  processes: number;
  /** Their fixed ports, one each. */
  ports: readonly number[];
  /** Their V8 inspector ports, one each in the same order (none by default). */
  inspectorPorts?: readonly number[];
  worker: TenantProcessOptions["worker"];
  tenantLog?: TenantProcessOptions["tenantLog"];
  /**
   * CPU a trivial invocation costs the process itself (wrapper, trace), subtracted from
   * each charge. Default: measured per process at start with the host's calibration
   * tenant; 0 for a host without one (the supervisor's own tests).
   */
  baselineMs?: number;
  /**
   * Measure what a subrequest costs a process's thread, which is then not charged (the
   * calibration tenant fetches the supervisor's own echo, which answers at once however
   * busy the platform is). Off: subrequests are charged (the supervisor's own tests).
   */
  calibrateSubrequests?: boolean;
  /**
   * The local API the hosts' traces are relayed to (PLATFORM_PATHS.traces), with its
   * token; each process is then held after an invocation until its trace has left.
   * Absent: traces are dropped (the supervisor's own tests, whose host sends none).
   */
  traces?: { apiUrl: string; token: string };
  log: (line: string) => void;
  /** Resident size past which a process is restarted between invocations (default 512 MiB). */
  recycleBytes?: number;
}

export interface Supervisor {
  url: string;
  port: number;
  slots: readonly Slot[];
  /** Restarts every tenant process with the host Worker's current build. */
  reload(): Promise<void>;
  /** Measures each process's own CPU per invocation (once the local API answers: traces go there). */
  calibrate(): Promise<void>;
  dispose(): Promise<void>;
}

/** Responses up to this size are buffered, so their CPU figure is final when the headers go out. */
const BUFFER_LIMIT = 1024 * 1024;
/** A tenant process this large is restarted between invocations (it starts at about 90 MB). */
const RECYCLE_BYTES = 512 * 2 ** 20;

function answer(res: ServerResponse, status: number, error: RunError, message: string, cpuMs?: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8", [RUN_ERROR_HEADER]: error };
  if (cpuMs !== undefined) headers[CPU_HEADER] = cpuMs.toFixed(3);
  res.writeHead(status, headers).end(message);
}

export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const fixedBaseline = options.baselineMs;
  const finals = new FinalCpu();
  const slots: Slot[] = [];
  const agents = new Map<Slot, Agent>();

  const stopWatchdog = startWatchdog(slots, options.log);
  const target: TraceTarget | null = options.traces === undefined ? null : { url: `${options.traces.apiUrl}${PLATFORM_PATHS.traces}`, token: options.traces.token };
  const traces = startTraceRelay(target, options.log);

  /** Resolves true if the invocation ran to its end in the host (its trace will come). */
  function invoke(slot: Slot, run: RunHeader, req: IncomingMessage, res: ServerResponse, fresh: boolean): Promise<boolean> {
    return new Promise((done) => {
      const running = slot.begin({ id: run.id, isolate: run.isolate, limitMs: run.cpuMs ?? Number.POSITIVE_INFINITY, fresh });
      let settled = false;
      let clientGone = false;
      const failed = (): void => {
        if (settled) return;
        settled = true;
        if (running.killedAtMs !== null) answer(res, 503, "cpu_killed", "Worker exceeded CPU time limit.", running.killedAtMs);
        else {
          // Not ours: the process died or dropped the connection (not the client: it left first). Let it restart before the next turn.
          if (!clientGone) options.log(`tenant supervisor: the tenant process on port ${slot.process.port} failed while running ${run.isolate} (${slot.describe(running)}); answered 502 process_failed`);
          if (!Number.isFinite(slot.process.cpuNs())) slot.process.kill();
          answer(res, 502, "process_failed", "The tenant process failed while running this request.");
        }
        done(false);
      };
      const out = httpRequest(
        { host: "127.0.0.1", port: slot.process.port, agent: agents.get(slot), method: req.method, path: req.url, headers: headerPairs(req.rawHeaders, DROPPED) },
        (up) => {
          // Those made before the headers; any made while a body streams stay charged.
          const made = Number(up.headers[SUBREQUESTS_HEADER] ?? 0);
          if (Number.isInteger(made) && made > running.subrequests) running.subrequests = made;
          const chunks: Buffer[] = [];
          let size = 0;
          let streaming = false;
          const head = (final: boolean, extra: string[]): void => {
            const cpu = slot.usedMs(running);
            res.writeHead(up.statusCode ?? 502, [...headerPairs(up.rawHeaders, DROPPED), ...extra, CPU_HEADER, cpu.toFixed(3), CPU_FINAL_HEADER, final ? "1" : "0"]);
          };
          up.on("data", (chunk: Buffer) => {
            if (streaming) {
              res.write(chunk);
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
            if (size > BUFFER_LIMIT) {
              streaming = true;
              head(false, []);
              for (const c of chunks.splice(0)) res.write(c);
            }
          });
          up.on("end", () => {
            if (settled) return;
            if (running.killedAtMs !== null) return failed();
            settled = true;
            const cpu = slot.usedMs(running);
            const exceeded = overLimit(cpu, running.limitMs);
            if (exceeded) options.log(`tenant supervisor: ${run.isolate} used ${cpu.toFixed(1)} ms of CPU, over ${running.limitMs} ms + grace (${slot.describe(running)})`);
            if (streaming) {
              finals.set(run.id, { cpuMs: cpu, exceeded });
              res.end();
            } else if (exceeded) {
              // It ran to the end, past the limit: production's answer is the CPU error.
              answer(res, 503, "cpu_exceeded", "Worker exceeded CPU time limit.", cpu);
            } else {
              const body = Buffer.concat(chunks);
              head(true, []);
              res.end(body);
            }
            slot.served += 1;
            done(true);
          });
          up.on("error", failed);
          // A reset mid-body ends the response without "end".
          up.on("close", () => {
            if (!up.complete) failed();
          });
        },
      );
      out.on("error", failed);
      // A client that goes away takes its invocation with it.
      res.on("close", () => {
        if (res.writableFinished) return;
        clientGone = true;
        out.destroy();
      });
      req.pipe(out);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    if (url.startsWith(SUPERVISOR_PATHS.finalCpuPrefix)) {
      const final = await finals.take(decodeURIComponent(url.slice(SUPERVISOR_PATHS.finalCpuPrefix.length)));
      res.writeHead(final.cpuMs === null ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify(final));
      return;
    }
    if (url === SUPERVISOR_PATHS.traces && req.method === "POST") return traces.handle(req, res);
    if (url === SUPERVISOR_PATHS.echo) return void res.writeHead(200, { "content-type": "text/plain" }).end("echo\n");
    if (url === SUPERVISOR_PATHS.status) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(slots.map((s) => s.status())));
      return;
    }
    const raw = req.headers[RUN_HEADER];
    const run = parseRunHeader(typeof raw === "string" ? raw : null);
    if (run === null || typeof raw !== "string") return answer(res, 400, "bad_run", `missing or invalid ${RUN_HEADER} header`);
    const slot = pickSlot(slots, run.isolate);
    await slot.acquire();
    try {
      await slot.process.whenReady();
      if (slot.hostWarmGeneration !== slot.process.generation) {
        // A restarted process runs the host's own code cold: compile it on the calibration
        // tenant, not on the next tenant's bill (a cold host once cost a cheap tenant 20+ ms).
        await calibrate(slot, agents.get(slot), CALIBRATION_WARMUP);
        // Its gate too, with a few subrequests: enough to compile it, not to delay the queue.
        if (options.calibrateSubrequests === true) await calibrateSubrequest(slot, agents.get(slot), echoUrl(), 3);
        slot.hostWarmGeneration = slot.process.generation;
      }
      const probing = url === SUPERVISOR_PATHS.probe;
      const fresh = probing || !slot.isWarm(run.isolate);
      if (fresh) {
        const warmed = await warm(slot, agents.get(slot), run, raw);
        if (!warmed.ok && warmed.killedAtMs !== null) {
          return answer(res, 503, "cpu_killed", probing ? STARTUP_EXCEEDED : "Worker exceeded CPU time limit.", warmed.killedAtMs);
        }
        if (!warmed.ok) {
          res.writeHead(warmed.answer.status, warmed.answer.headers).end(warmed.answer.body);
          return;
        }
        // An upload's probe only loads the script: its startup CPU is the answer.
        if (probing) return void res.writeHead(204, { [CPU_HEADER]: warmed.cpuMs.toFixed(3) }).end();
      }
      const ended = await invoke(slot, run, req, res, fresh);
      slot.current = null;
      // Its tail's work (the trace built and sent) runs after the response: not on the next one's bill.
      if (ended && (await slot.traceLeft(run.id)) === false) slot.tracesLate += 1;
      if (slot.isWarm(run.isolate)) await collectIfDue(slot, agents.get(slot), run.isolate, raw, options.log);
    } catch (error) {
      answer(res, 502, "process_failed", `The tenant process could not run this request: ${String(error)}`);
    } finally {
      slot.recycleIfLarge(options.recycleBytes ?? RECYCLE_BYTES, options.log);
      slot.release();
    }
  }

  // Room for the run header's props (MAX_RUN_DATA_BYTES) beside the tenant's own headers;
  // Cloudflare allows 128 KB of request headers. Node's default is 16 KiB.
  const server: Server = createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log(`tenant supervisor: ${String(error)}`);
      answer(res, 502, "process_failed", "The tenant supervisor failed on this request.");
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  const echoUrl = (): string => `http://127.0.0.1:${port}${SUPERVISOR_PATHS.echo}`;
  const worker = { ...options.worker, serviceBindings: { ...options.worker.serviceBindings, SUPERVISOR: httpService(port) } };
  try {
    for (const [i, processPort] of options.ports.slice(0, options.processes).entries()) {
      const inspectorPort = options.inspectorPorts?.[i];
      const slot = new Slot(await TenantProcess.start({ worker, port: processPort, log: options.log, ...(options.tenantLog === undefined ? {} : { tenantLog: options.tenantLog }), ...(inspectorPort === undefined ? {} : { inspectorPort }) }));
      if (target !== null) slot.traceLeft = (id) => traces.ledger.wait(id, TRACE_HOLD_MS);
      slots.push(slot);
      agents.set(slot, new Agent({ keepAlive: true, maxSockets: 4 }));
    }
  } catch (error) {
    server.close();
    await Promise.all(slots.map((s) => s.process.dispose()));
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    slots,
    async calibrate() {
      for (const slot of slots) {
        await slot.acquire();
        try {
          if (options.calibrateSubrequests === true) {
            const measured = await calibrateSubrequest(slot, agents.get(slot), echoUrl());
            slot.baselineMs = fixedBaseline ?? measured.baselineMs;
            slot.subrequestMs = measured.subrequestMs;
          } else slot.baselineMs = fixedBaseline ?? (await calibrate(slot, agents.get(slot)));
        } finally {
          slot.release();
        }
      }
    },
    async reload() {
      await Promise.all(slots.map((s) => s.process.reload()));
    },
    async dispose() {
      stopWatchdog();
      traces.dispose();
      await new Promise<void>((closed) => server.close(() => closed()));
      server.closeAllConnections();
      for (const agent of agents.values()) agent.destroy();
      await Promise.all(slots.map((s) => s.process.dispose()));
    },
  };
}
