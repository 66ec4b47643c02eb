import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the production wrangler.jsonc, so they see the
// real vars and a local KV for PLANS. The `dispatch_namespaces` binding only
// proxies to a Cloudflare account: `remoteBindings: false` keeps the run
// offline, and the tests pass a fake namespace instead (calling the real
// binding's get() here fails with "Binding DISPATCHER needs to be run remotely").
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
    }),
  ],
  test: { name: "dispatcher", include: ["test/**/*.test.ts"] },
});
