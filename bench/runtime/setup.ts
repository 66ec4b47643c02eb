/**
 * The stack the runtime benchmark drives: the demo tenants, plus `burner` (cpu-burner's
 * code on a 5 s plan, for CPU accuracy up to 500 ms) and `looper` (`for(;;){}` on pro).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../../local/dev/options.ts";
import { LocalApiClient, apiPaths, assignPlan, uploadScript } from "../../local/dev/seed.ts";
import { startStack, type Stack, type StackOptions } from "../../local/dev/stack.ts";

/** Lines the runtime prints when it cancels, cross-wires or leaks something. */
export const RUNTIME_ERROR = /had hung|different request|not disposed|Uncaught exception: workerd|internal error/i;

export interface BenchStack {
  stack: Stack;
  api: LocalApiClient;
  logs: string[];
}

/** `persistTo`: a folder for the stack's state (the memory benchmark), else in memory. */
export async function startBenchStack(persistTo: string | false = false, extra: Pick<StackOptions, "inspectorPort" | "tenantInspectorPorts"> = {}): Promise<BenchStack> {
  const logs: string[] = [];
  const started = Date.now();
  const log = (line: string): void => {
    logs.push(`[${((Date.now() - started) / 60_000).toFixed(1)} min] ${line}`);
  };
  // The runtime's own warnings in any process ("code had hung", cross-request I/O) are
  // what the benchmark counts; the tenants' console output is not.
  const runtimeLine = (where: string) => (line: string): void => {
    if (RUNTIME_ERROR.test(line)) log(`${where}: ${line}`);
  };
  const stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo, fresh: persistTo !== false, log, platformLog: runtimeLine("platform"), tenantLog: runtimeLine("tenant process"), ...extra });
  const api = new LocalApiClient(stack.urls.api, stack.apiToken);
  await api.expect("PUT", apiPaths.kvValue("plan:bench"), { body: JSON.stringify({ cpuMs: 5000, subRequests: 1000 }), contentType: "application/json" });
  const burner = readFileSync(resolve(REPO_ROOT, "examples/cpu-burner/index.js"), "utf8");
  await uploadScript(api, { namespace: stack.namespace, name: "burner", source: burner, format: "module", tailConsumers: ["tenantscope-tail"] });
  await assignPlan(api, "burner", "bench");
  await uploadScript(api, { namespace: stack.namespace, name: "looper", source: "export default { fetch() { for (;;) {} } };", format: "module", tailConsumers: ["tenantscope-tail"] });
  await assignPlan(api, "looper", "pro");
  return { stack, api, logs };
}

/** The cpu-burner's loop and rate (examples/cpu-burner/index.js), to time the same work in Node. */
const ITERATIONS_PER_MS = 540_000;

export function referenceCpuMs(ms: number): number {
  const iterations = Math.round(ms * ITERATIONS_PER_MS);
  const before = process.cpuUsage();
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  const used = process.cpuUsage(before);
  if (x === 42) console.log("");
  return (used.user + used.system) / 1000;
}

interface SqlRow {
  cpu: number;
}

/** CPU ms of `tenant`'s invocations, from Analytics Engine, once `count` of them have landed. */
export async function cpuOf(bench: BenchStack, tenant: string, count: number): Promise<number[]> {
  const sql = `SELECT double2 AS cpu FROM tenant_invocations WHERE blob1 = '${tenant}' ORDER BY timestamp FORMAT JSON`;
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${bench.stack.urls.api}/client/v4/accounts/local/analytics_engine/sql`, { method: "POST", body: sql, headers: { authorization: `Bearer ${bench.stack.apiToken}` } });
    if (res.ok) {
      const body = (await res.json()) as { data: SqlRow[] };
      if (body.data.length >= count) return body.data.map((r) => Number(r.cpu));
    } else await res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${count} invocations of ${tenant} reached Analytics Engine`);
}
