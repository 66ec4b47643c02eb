import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { dirname } from "node:path";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the production wrangler.jsonc (real vars, local KV,
// the audit log in that KV, the assets). `remoteBindings: false` keeps the run
// offline. The global setup starts the REAL local Analytics Engine stand-in on
// 127.0.0.1 (local/dev/stack.ts), fills it with known points, and provides its SQL
// URL and token, which become the AE_SQL_URL and CF_API_TOKEN bindings here.
// The secrets are test-only values in .dev.vars: the plugin reads them through
// wrangler, which checks them against `secrets.required` (bindings given here come
// too late for that check, and it would warn for every test file).
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
      miniflare: {
        bindings: {
          AE_SQL_URL: inject<string>("aeSqlUrl"),
          CF_API_TOKEN: inject<string>("aeToken"),
        },
        // The ALERTS binding's Worker: a fake evaluator over real RPC (test/fake-alerts.ts).
        // modulesRoot: the bundle lives in a temporary folder, outside this project.
        workers: [{ name: "tenantscope-alerts", modules: true, scriptPath: inject<string>("fakeAlertsPath"), modulesRoot: dirname(inject<string>("fakeAlertsPath")), compatibilityDate: "2026-11-01" }],
      },
    })),
  ],
  test: {
    name: "dashboard",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
