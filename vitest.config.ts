import { defineConfig } from "vitest/config";

// One suite for the whole monorepo. Tests live beside their package (`PACKAGE/test/`) and use its
// public entry points; `test/` holds the older cross-package suite and the shared support code.
export default defineConfig({
  test: {
    include: ["{language,runtime,cli,server,github-action,vscode-extension}/test/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/build.ts", "test/support/setup-chromium.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
