import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./test/secrets.ts";

// Tests run inside workerd with the production wrangler.jsonc (real vars, local KV,
// the AuditLog Durable Object, the assets). `remoteBindings: false` keeps the run
// offline. The global setup starts the REAL local Analytics Engine stand-in on
// 127.0.0.1 (local/dev/stack.ts), fills it with known points, and provides its SQL
// URL, which becomes the AE_SQL_URL binding here; secrets are test-only values.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
      miniflare: {
        bindings: {
          ...TEST_SECRETS,
          AE_SQL_URL: inject<string>("aeSqlUrl"),
          CF_API_TOKEN: inject<string>("aeToken"),
        },
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
