import { defineConfig } from "vitest/config";

// One `pnpm test` runs every project: Workers code inside workerd (through
// @cloudflare/vitest-plugin) and the end-to-end tests in Node.
export default defineConfig({
  test: {
    projects: ["dispatcher", "tail-worker", "local", "test", "cli", "dashboard", "alerts"],
  },
});
