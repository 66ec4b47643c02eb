import { defineProject } from "vitest/config";

// End-to-end tests: the whole local stack (one Miniflare instance) driven from Node
// over 127.0.0.1, exactly as a platform and its users would reach it.
export default defineProject({
  test: {
    name: "e2e",
    environment: "node",
    include: ["**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
