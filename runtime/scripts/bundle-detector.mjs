// Loads the detector's TypeScript sources in plain Node: bundles runtime/src/detector/index.ts with
// esbuild into a temporary ES module and imports it. Used by the train, eval and bench scripts.

import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const runtimeDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(runtimeDir, "..");

export async function importDetector() {
  const dir = mkdtempSync(join(tmpdir(), "charter-detector-"));
  const outfile = join(dir, "detector.mjs");
  await build({
    entryPoints: [join(runtimeDir, "src/detector/index.ts")],
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
