import { resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildOnce } from "./dev/build.ts";
import { AE_WORKER, CONFIG_PATHS, aeWorkerOptions, entryOf, readWorkerConfig } from "./dev/options.ts";
import { textModulesVitePlugin } from "./dev/text-modules.ts";

/**
 * A stand-in tail consumer: it keeps every trace the relay hands it, and serves
 * them back as JSON. Bound to the stand-in as a tail consumer named
 * "tail-recorder" (binding TAIL_TAIL_RECORDER, see src/tail/names.ts), and to the
 * tests as TAIL_RECORDER.
 */
const RECORDER = `
import { WorkerEntrypoint } from "cloudflare:workers";
const received = [];
export default class extends WorkerEntrypoint {
  async tail(events) { received.push(...events); }
  async fetch() { return Response.json(received); }
}`;

/**
 * Tenants run in tenant processes behind the dev runner's supervisor, which these
 * in-workerd tests do not start (test/runtime.test.ts runs them on the real runtime):
 * TENANT_RUNNER answers as a supervisor that is not there. Its one exception is an
 * upload's probe, which it passes (5 ms of startup), so these tests exercise the API
 * around the probe; the probe's refusals are tested on the real runtime
 * (test/upload-validation.test.ts).
 */
const NO_RUNNER = `export default { fetch(request) {
  if (new URL(request.url).pathname === "/__tenantscope/probe") return new Response(null, { status: 204, headers: { "x-tenantscope-cpu-ms": "5.000" } });
  return new Response("no tenant runner in these tests", { status: 502, headers: { "x-tenantscope-run-error": "process_failed" } });
} }`;

/**
 * Two Workers, two projects (one Worker under test each, as in workers-sdk's
 * fixtures), both under the name "local" (`vitest --project local` runs both):
 * - api: tenantscope-local (wrangler.jsonc), with the AE Worker beside it, built by
 *   the dev runner's esbuild step and wired as the dev runner wires it, so the
 *   forwarded SQL API path answers;
 * - ae: tenantscope-local-ae (ae/wrangler.jsonc).
 */
export default defineConfig(async () => {
  const ae = readWorkerConfig(CONFIG_PATHS.ae);
  const built = await buildOnce([{ name: AE_WORKER, entry: entryOf(ae) }], resolve(import.meta.dirname, "node_modules/.cache/tenantscope-test"));
  const aeScript = built.get(AE_WORKER);
  if (aeScript === undefined) throw new Error(`no bundle for ${AE_WORKER}`);
  // The plugin pins its own miniflare, whose option types (service designators admit
  // Node handlers typed with that Miniflare class) do not unify with ours: pass on
  // the fields the AE's wiring sets, which are plain data.
  const { name, modulesRoot, compatibilityDate, compatibilityFlags, bindings, durableObjects } = aeWorkerOptions(ae, aeScript);
  const aeOptions = { name, modules: true, scriptPath: aeScript, modulesRoot, compatibilityDate, compatibilityFlags, bindings, durableObjects };
  return {
    test: {
      name: "local",
      projects: [
        {
          plugins: [textModulesVitePlugin(), cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: {
              serviceBindings: { TAIL_TAIL_RECORDER: "tail-recorder", TAIL_RECORDER: "tail-recorder", TENANT_RUNNER: "no-tenant-runner" },
              workers: [
                { name: "tail-recorder", modules: true, compatibilityDate: "2026-11-01", script: RECORDER },
                { name: "no-tenant-runner", modules: true, compatibilityDate: "2026-11-01", script: NO_RUNNER },
                aeOptions,
              ],
            },
          })],
          test: { name: "api", include: ["test/**/*.test.ts"] },
        },
        {
          plugins: [cloudflareTest({ wrangler: { configPath: "./ae/wrangler.jsonc" } })],
          test: { name: "ae", include: ["ae/test/**/*.test.ts"] },
        },
      ],
    },
  };
});
