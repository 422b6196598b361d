// vitest global setup: fit the detector's measurement model once (train-detector.mjs --measure, ~10 s):
// the shipped recipe on the training parts only. The shipped weights.json is the same recipe fit on
// every part, held-out ones included, so tests that measure a held-out part score this model instead
// (measured-detector.ts). Tests read inject("measuredWeights").
//
// The fit is deterministic, so it is kept in node_modules/.cache/charter under a digest of everything
// it reads: the detector's sources, the training scripts and corpus builders, the shared corpora, the
// lock file (the README set is the installed packages' READMEs) and the Node version. A run whose
// inputs are unchanged reuses it; any change to them refits. A fresh clone has no cache, so CI always
// fits.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./paths.js";

declare module "vitest" {
  export interface ProvidedContext {
    measuredWeights: string;
  }
}

interface Provider {
  provide(key: "measuredWeights", value: string): void;
}

/** What train-detector.mjs reads, besides Node itself (detector-measured-cache.test.ts checks its imports). */
export const MEASURED_MODEL_INPUTS = [
  "runtime/src/detector",
  "runtime/scripts",
  "runtime/corpus",
  "../shared/corpora/dev",
  "../shared/corpora/agentic",
  "package-lock.json",
];
const CACHE_DIR = join(ROOT, "node_modules/.cache/charter");

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => filesUnder(join(path, e.name)));
}

export function measuredModelKey(): string {
  const h = createHash("sha256").update(process.version);
  for (const input of MEASURED_MODEL_INPUTS)
    for (const file of filesUnder(join(ROOT, input))) h.update(`\0${relative(ROOT, file)}\0`).update(readFileSync(file));
  return h.digest("hex").slice(0, 24);
}

export default async function setup(project: Provider): Promise<void> {
  const out = join(CACHE_DIR, `measured-${measuredModelKey()}.json`);
  if (!existsSync(out)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${out}.${process.pid}.tmp`;
    try {
      await promisify(execFile)(process.execPath, [join(ROOT, "runtime/scripts/train-detector.mjs"), "--measure", "--out", partial], {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (e) {
      rmSync(partial, { force: true });
      // train-detector says what is missing (the shared corpora beside the checkout) on stderr.
      throw new Error(`the detector's measurement model could not be fit:\n${(e as { stderr?: string }).stderr ?? String(e)}`);
    }
    // Older fits are of inputs that have changed since: one file is kept.
    for (const name of readdirSync(CACHE_DIR)) if (name.startsWith("measured-") && name.endsWith(".json")) rmSync(join(CACHE_DIR, name));
    renameSync(partial, out);
  }
  project.provide("measuredWeights", out);
}
