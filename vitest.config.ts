import { defineConfig } from "vitest/config";

// One suite for the whole monorepo: tests live in test/ and import the workspaces' sources directly.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/build.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
