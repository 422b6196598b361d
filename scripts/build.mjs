// Builds what runs outside vitest: the `charter` CLI bundle (cli/dist/charter.mjs) and the bundle
// JSON Schema (language/schema/bundle.schema.json). Fast (esbuild), so `npm test` always runs it.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
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

// The JSON Schema is generated from the one zod schema, so it cannot drift from the runtime's.
const tmp = join(root, "cli/dist/schema-gen.mjs");
await build({ entryPoints: [join(root, "language/src/bundle.ts")], outfile: tmp, bundle: true, platform: "node", format: "esm", logLevel: "warning" });
const { bundleJsonSchema } = await import(pathToFileURL(tmp).href);
mkdirSync(join(root, "language/schema"), { recursive: true });
writeFileSync(join(root, "language/schema/bundle.schema.json"), JSON.stringify(bundleJsonSchema(), null, 2) + "\n");
