import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the production wrangler.jsonc (real vars, a
// local KV for PLANS). `remoteBindings: false` keeps the run offline; the
// tests hand the handler a fake dataset that records every point.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
    }),
  ],
  test: { name: "tail", include: ["test/**/*.test.ts"] },
});
