// Builds the Action's one committed file, dist/index.js, with esbuild. The options live here so
// that scripts/build.mjs and the staleness test (test/action-dist.test.ts) build exactly the same
// bytes: a stale dist/ is a test failure, and in CI a `git diff --exit-code` after the build.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

export function actionBuildOptions(outfile = join(here, "dist/index.js")) {
  return {
    entryPoints: [join(here, "src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // relative paths in the bundle's comments, so the bytes do not depend on the checkout's location
    absWorkingDir: root,
    legalComments: "none",
    // @charter/language from its sources; "module" is esbuild's default, kept
    conditions: ["@charter/source", "module"],
    banner: { js: "import { createRequire as __charterRequire } from 'node:module'; const require = __charterRequire(import.meta.url);" },
    logLevel: "warning",
  };
}

export async function buildAction(outfile) {
  await build(actionBuildOptions(outfile));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildAction();
