/**
 * No Worker of the platform keeps memory per request: thousands of invocations over
 * the whole trace path (dispatcher, namespace, supervisor, relay, Tail Worker, local
 * Analytics Engine) leave each Worker's reachable JS heap where it was. A map that
 * keeps an entry per invocation, a cache keyed by request, or a retained Response
 * costs hundreds of bytes per request, far over the bound. The bound is generous:
 * this is a leak test, not a memory goal (that is `pnpm bench -- --only memory`).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerHeaps, type HeapFigure } from "../local/dev/heaps.ts";
import { freePort } from "../local/dev/ports.ts";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { closedLoop } from "./http.ts";

const REQUESTS = 2000;
const CONCURRENCY = 8;
/** 2000 requests at 500 bytes each would be about 1 MB. */
const MAX_GROWTH_MB = 0.75;

let stack: Stack;
let inspectorPort: number;

beforeAll(async () => {
  inspectorPort = await freePort();
  // No collector: its sessions would wait on this test's snapshots, and the snapshots collect anyway.
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: { tenants: ["hello", "thrower"] }, log: () => {}, tenantLog: () => {}, inspectorPort, platformGcEveryMs: 0 });
});
afterAll(async () => {
  await stack.dispose();
});

/** `n` requests alternating a tenant that answers and one that throws. */
function load(n: number): Promise<void> {
  return closedLoop(stack.urls.dispatcher, n, CONCURRENCY, (i) => `/${i % 2 === 0 ? "hello" : "thrower"}/?i=${i}`);
}

async function recorded(): Promise<number> {
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/sql`, {
    method: "POST",
    body: "SELECT count() AS n FROM tenant_invocations",
    headers: { authorization: `Bearer ${stack.apiToken}` },
  });
  const body = (await res.json()) as { data: { n: string }[] };
  return Number(body.data[0]?.n ?? 0);
}

/** Heaps are read while requests run: an isolate with nothing to do does not answer the inspector. */
async function heapsUnderLoad(): Promise<Map<string, HeapFigure>> {
  const traffic = load(200);
  const figures = await workerHeaps(inspectorPort);
  await traffic;
  return new Map(figures.map((f) => [f.worker, f]));
}

it(`keeps each platform Worker's heap within ${MAX_GROWTH_MB} MB over ${REQUESTS} traced requests`, { timeout: 240_000 }, async () => {
  await load(300);
  const before = await heapsUnderLoad();
  await load(REQUESTS);
  // Every trace has reached Analytics Engine, so nothing is still in flight on purpose.
  const expected = 300 + 200 + REQUESTS;
  for (let i = 0; i < 300 && (await recorded()) < expected; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await recorded()).toBeGreaterThanOrEqual(expected);
  const after = await heapsUnderLoad();
  expect([...before.keys()].sort()).toEqual(["tenantscope-alerts", "tenantscope-dashboard", "tenantscope-dispatcher", "tenantscope-local", "tenantscope-local-ae", "tenantscope-tail"]);
  const growth = Object.fromEntries([...after].map(([worker, f]) => [worker, f.usedMb - (before.get(worker)?.usedMb ?? 0)]));
  for (const [worker, mb] of Object.entries(growth)) expect(mb, `${worker} grew ${mb.toFixed(2)} MB`).toBeLessThan(MAX_GROWTH_MB);
});
