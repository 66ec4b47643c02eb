/**
 * Runs in Node before the workerd tests: starts the real local Analytics Engine
 * stand-in (local/dev/stack.ts: tenantscope-local + the dispatcher in one Miniflare,
 * 127.0.0.1 only, in-memory state), imports the fixture through the local-only
 * `_import` route, and provides the SQL URL and token to the tests' bindings
 * (the values it provides are typed in env.d.ts). It also bundles the fake alert
 * evaluator that the config serves as the Worker `tenantscope-alerts`.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
import { startStack } from "../../local/dev/stack.ts";
import { importLines } from "./fixtures.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  try {
    // Whole seconds: AE timestamps have second resolution, so the tests' ranges are exact.
    const anchorMs = Math.floor(Date.now() / 1000) * 1000;
    const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/_import?dataset=tenant_invocations`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiToken}` },
      body: importLines(anchorMs),
    });
    if (!res.ok) throw new Error(`importing the fixture failed: ${res.status} ${await res.text()}`);
    // "{account}" stays in the URL, as in production, so the substitution is exercised.
    project.provide("aeSqlUrl", `${stack.urls.api}/client/v4/accounts/{account}/analytics_engine/sql`);
    project.provide("aeToken", stack.apiToken);
    project.provide("anchorMs", anchorMs);
    const chartjs = await readFile(resolve(import.meta.dirname, "../node_modules/chart.js/dist/chart.umd.min.js"));
    project.provide("chartjsSha256", createHash("sha256").update(chartjs).digest("hex"));
    const zoom = await readFile(resolve(import.meta.dirname, "../node_modules/chartjs-plugin-zoom/dist/chartjs-plugin-zoom.min.js"));
    project.provide("zoomSha256", createHash("sha256").update(zoom).digest("hex"));
    // The fake evaluator (fake-alerts.ts) as one ES module for the Worker the config adds.
    const out = join(await mkdtemp(join(tmpdir(), "tenantscope-fake-alerts-")), "fake-alerts.js");
    await build({ entryPoints: [resolve(import.meta.dirname, "fake-alerts.ts")], outfile: out, bundle: true, format: "esm", platform: "neutral", external: ["cloudflare:workers"], logLevel: "error" });
    project.provide("fakeAlertsPath", out);
  } catch (error) {
    // Without this the stand-in keeps running and vitest never exits.
    await stack.dispose();
    throw error;
  }
  return () => stack.dispose();
}
