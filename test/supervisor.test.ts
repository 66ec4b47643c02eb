/**
 * The tenant supervisor on its own, with a minimal host Worker: CPU charged from the
 * process's thread, a looping tenant killed with the CPU error while another process
 * keeps answering, the process back by itself, big bodies streamed with a final figure.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../local/dev/ports.ts";
import { canMeasureCpu } from "../local/dev/tenants/cpu.ts";
import { CPU_FINAL_HEADER, CPU_HEADER, RUN_ERROR_HEADER, RUN_HEADER, SUPERVISOR_PATHS } from "../local/host/src/run-protocol.ts";
import { startSupervisor, type Supervisor } from "../local/dev/tenants/supervisor.ts";

let supervisor: Supervisor;

beforeAll(async () => {
  supervisor = await startSupervisor({
    processes: 2,
    ports: [await freePort(), await freePort()],
    worker: { name: "host", modules: true, scriptPath: resolve(import.meta.dirname, "fixtures/supervised-host.js"), compatibilityDate: "2026-11-01", workerLoaders: { LOADER: {} } },
    // The fixture host has no calibration tenant: charge the raw thread CPU.
    baselineMs: 0,
    log: () => {},
  });
});
afterAll(async () => {
  await supervisor.dispose();
});

let counter = 0;
function run(path: string, opts: { cpuMs?: number; isolate?: string } = {}): Promise<Response> {
  counter += 1;
  const isolate = opts.isolate ?? "t1";
  const header = JSON.stringify({ id: `inv-${counter}`, isolate, namespace: "ns", script: isolate, etag: "e1", ...(opts.cpuMs === undefined ? {} : { cpuMs: opts.cpuMs }) });
  return fetch(`${supervisor.url}${path}`, { headers: { [RUN_HEADER]: header, "x-test": String(counter) } });
}

/** Iterations per CPU ms of the tenant's loop, measured through the supervisor itself. */
async function calibrate(): Promise<number> {
  const iterations = 2_000_000;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const res = await run(`/burn?iterations=${iterations}`);
    await res.text();
    best = Math.min(best, Number(res.headers.get(CPU_HEADER)));
  }
  return iterations / best;
}

describe.runIf(canMeasureCpu())("the tenant supervisor", () => {
  it("passes the tenant's answer through with its CPU, final for a small body", async () => {
    const res = await run("/");
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^hello \d+$/);
    expect(res.headers.get(CPU_FINAL_HEADER)).toBe("1");
    const cpu = Number(res.headers.get(CPU_HEADER));
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThan(5);
  });

  it("charges a burn about what it burned (generous bounds; the benchmark measures accuracy)", async () => {
    const perMs = await calibrate();
    const res = await run(`/burn?iterations=${Math.round(perMs * 100)}`);
    await res.text();
    const cpu = Number(res.headers.get(CPU_HEADER));
    expect(cpu).toBeGreaterThan(60);
    expect(cpu).toBeLessThan(160);
  });

  it("does not charge cheap requests for each other when they arrive together", async () => {
    const responses = await Promise.all(Array.from({ length: 40 }, () => run("/")));
    const cpus = await Promise.all(responses.map(async (r) => (await r.text(), Number(r.headers.get(CPU_HEADER)))));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Waiting in the queue is not CPU: each stays far below a 10 ms plan.
    expect(cpus.filter((c) => c > 10)).toEqual([]);
  });

  it("kills a looping tenant past its limit, answers the CPU error, and comes back", async () => {
    const started = Date.now();
    const other = (async () => {
      // The other process keeps answering meanwhile (pickSlot sends these to the idle one).
      const statuses: number[] = [];
      while (Date.now() - started < 1_500) {
        const res = await run("/", { isolate: "t2" });
        await res.text();
        statuses.push(res.status);
      }
      return statuses;
    })();
    const res = await run("/loop", { cpuMs: 50, isolate: "looper" });
    expect(res.status).toBe(503);
    expect(res.headers.get(RUN_ERROR_HEADER)).toBe("cpu_killed");
    expect(await res.text()).toBe("Worker exceeded CPU time limit.");
    expect(Number(res.headers.get(CPU_HEADER))).toBeGreaterThanOrEqual(50);
    const statuses = await other;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const again = await run("/", { isolate: "looper" });
    expect(again.status).toBe(200);
    const status = (await (await fetch(`${supervisor.url}${SUPERVISOR_PATHS.status}`)).json()) as { kills: number }[];
    expect(status.reduce((n, s) => n + s.kills, 0)).toBe(1);
  });

  it("streams a body bigger than its buffer and gives the final CPU afterwards", async () => {
    const res = await run("/big?bytes=3000000");
    expect(res.headers.get(CPU_FINAL_HEADER)).toBe("0");
    expect((await res.text()).length).toBe(3_000_000);
    const id = `inv-${counter}`;
    const final = (await (await fetch(`${supervisor.url}${SUPERVISOR_PATHS.finalCpu(id)}`)).json()) as { cpuMs: number; exceeded: boolean };
    expect(final.exceeded).toBe(false);
    // The header rounds to 3 decimals.
    expect(final.cpuMs).toBeGreaterThanOrEqual(Number(res.headers.get(CPU_HEADER)) - 0.001);
  });

  it("refuses a request without a run header", async () => {
    const res = await fetch(`${supervisor.url}/`);
    expect(res.status).toBe(400);
    expect(res.headers.get(RUN_ERROR_HEADER)).toBe("bad_run");
  });
});

describe.runIf(canMeasureCpu())("a tenant process past its memory bound", () => {
  it("is restarted between invocations once it holds several versions (not for one alone), and the next one runs in the new process", async () => {
    const logs: string[] = [];
    const small = await startSupervisor({
      processes: 1,
      ports: [await freePort()],
      worker: { name: "host", modules: true, scriptPath: resolve(import.meta.dirname, "fixtures/supervised-host.js"), compatibilityDate: "2026-11-01", workerLoaders: { LOADER: {} } },
      baselineMs: 0,
      // Every process is past one byte: only the number of versions it holds decides.
      recycleBytes: 1,
      log: (line) => logs.push(line),
    });
    try {
      const call = async (id: string, isolate: string): Promise<void> => {
        const res = await fetch(`${small.url}/`, { headers: { [RUN_HEADER]: JSON.stringify({ id, isolate, namespace: "ns", script: isolate, etag: "e1" }) } });
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(/^hello/);
      };
      const recycles = async (): Promise<number> =>
        ((await (await fetch(`${small.url}${SUPERVISOR_PATHS.status}`)).json()) as { recycles: number }[])[0]?.recycles ?? -1;
      const pidBefore = small.slots[0]?.process.pid;
      await call("m1", "t1");
      await call("m2", "t1");
      expect(await recycles()).toBe(0);
      await call("m3", "t2");
      expect(await recycles()).toBe(1);
      await call("m4", "t1");
      expect(small.slots[0]?.process.pid).not.toBe(pidBefore);
      expect(logs.some((l) => l.includes("MB resident"))).toBe(true);
    } finally {
      await small.dispose();
    }
  });
});
