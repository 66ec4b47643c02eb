import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the production wrangler.jsonc (real vars, a local KV for
// PLANS, the AlertState Durable Object). `remoteBindings: false` keeps the run offline.
// Most tests hand the evaluator recorded SQL answers and a fake clock; the global setup
// also starts the REAL local Analytics Engine stand-in with known points, whose SQL URL
// and token become the AE_SQL_URL and CF_API_TOKEN bindings (ae.test.ts runs the
// evaluator's queries against it). The secrets are test-only values in .dev.vars.
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
      },
    })),
  ],
  test: {
    name: "alerts",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    hookTimeout: 180_000,
  },
});
