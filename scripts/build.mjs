// Builds what runs outside vitest: the `charter` CLI bundle (cli/dist/charter.mjs) and the bundles
// beside it. Fast (esbuild), so `npm install` and every test run rebuild it.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const banner = {
  js: "import { createRequire as __charterRequire } from 'node:module'; const require = __charterRequire(import.meta.url);",
};

// The packages' JavaScript in dist/, for bundlers that read the published exports (the declarations
// come with `npm pack` and `npm run build -w language`); our own bundles below read src/ directly.
const { buildPackages } = await import(pathToFileURL(join(root, "scripts/build-packages.mjs")).href);
await buildPackages(undefined, { declarations: false });

await build({
  entryPoints: [join(root, "cli/src/main.ts")],
  outfile: join(root, "cli/dist/charter.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // our packages from their sources (see the exports in language/ and runtime/package.json)
  conditions: ["@charter/source", "module"],
  banner,
  logLevel: "warning",
});

// The GitHub Action's committed bundle (github-action/dist/index.js); its options live beside it.
const { buildAction } = await import(pathToFileURL(join(root, "github-action/build.mjs")).href);
await buildAction();
