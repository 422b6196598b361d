// Loads the detector's TypeScript sources in plain Node: bundles runtime/src/detector/index.ts with
// esbuild into a temporary ES module and imports it. Used by the train, eval and bench scripts (the bench
// also loads another checkout's detector this way, to compare the two in one process).

import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const runtimeDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(runtimeDir, "..");

/** The detector of this checkout, or of the checkout at `checkoutDir` (its repository root). */
export async function importDetector(checkoutDir = repoDir) {
  const dir = mkdtempSync(join(tmpdir(), "charter-detector-"));
  const outfile = join(dir, "detector.mjs");
  await build({
    entryPoints: [join(resolve(checkoutDir), "runtime/src/detector/index.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    logLevel: "error",
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
