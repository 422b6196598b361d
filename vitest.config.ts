import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// One suite for the whole monorepo. Tests live beside their package (`PACKAGE/test/`) and use its
// public entry points; `test/` holds the older cross-package suite and the shared support code.
export default defineConfig({
  // @charter/language and @charter/runtime from their sources (their exports' `@charter/source`)
  resolve: { conditions: ["@charter/source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["@charter/source", ...defaultServerConditions] } },
  test: {
    include: ["{language,runtime,cli,server,github-action,vscode-extension}/test/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: [
      "test/support/build.ts",
      "test/support/setup-measured-detector.ts",
      "test/support/setup-neovim.ts",
      "test/support/setup-chromium.ts",
      "test/support/setup-postgres.ts",
      "test/support/setup-redis.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
