// Builds what runs outside vitest: the `charter` CLI bundle (cli/dist/charter.mjs) and the bundles
// beside it. Fast (esbuild), so `npm install` and every test run rebuild it.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const banner = { js: "import { createRequire as __charterRequire } from 'node:module'; const require = __charterRequire(import.meta.url);" };

await build({
  entryPoints: [join(root, "cli/src/main.ts")],
  outfile: join(root, "cli/dist/charter.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  banner,
  logLevel: "warning",
});

// The GitHub Action's committed bundle (github-action/dist/index.js); its options live beside it.
const { buildAction } = await import(pathToFileURL(join(root, "github-action/build.mjs")).href);
await buildAction();
