import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the production wrangler.jsonc (real vars, a local KV
// for PLANS, the AlertState Durable Object). `remoteBindings: false` keeps the run
// offline; the evaluator's tests hand it recorded SQL answers and a fake clock.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
    }),
  ],
  test: { name: "alerts", include: ["test/**/*.test.ts"] },
});
