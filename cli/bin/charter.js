#!/usr/bin/env node
// Entry point of `npx charter`: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/charter.mjs", import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write("charter: the CLI is not built yet: run `npm run build` in the repository root\n");
  process.exit(2);
}
await import(bundle.href);
