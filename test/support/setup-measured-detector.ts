// vitest global setup: fit the detector's measurement model once (train-detector.mjs --measure, ~10 s):
// the shipped recipe on the training parts only. The shipped weights.json is the same recipe fit on
// every part, held-out ones included, so tests that measure a held-out part score this model instead
// (measured-detector.ts). Tests read inject("measuredWeights"); teardown deletes the file.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

export default async function setup(project: Provider): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "charter-measured-"));
  const out = join(dir, "weights.json");
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, "runtime/scripts/train-detector.mjs"), "--measure", "--out", out], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    // train-detector says what is missing (the shared corpora beside the checkout) on stderr.
    throw new Error(`the detector's measurement model could not be fit:\n${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
  project.provide("measuredWeights", out);
  return () => rmSync(dir, { recursive: true, force: true });
}
