import { defineProject } from "vitest/config";

// The CLI runs in Node against the local stand-in, started in-process per test file.
export default defineProject({
  test: {
    name: "cli",
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
