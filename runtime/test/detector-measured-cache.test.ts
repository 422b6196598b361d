// The measurement model is cached under a digest of what its fit reads (setup-measured-detector.ts).
// A module the fit imports from outside those inputs would let a stale model through: every module
// train-detector.mjs reaches by a relative import must lie under one of them.
import { readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../../test/support/paths.js";
import { MEASURED_MODEL_INPUTS, measuredModelKey } from "../../test/support/setup-measured-detector.js";

function relativeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  for (const m of source.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
    let target = resolve(dirname(file), m[1] ?? m[2]!);
    if (target.endsWith(".js")) target = target.replace(/\.js$/, ".ts");
    relativeImports(target, seen);
  }
  return seen;
}

describe("the measurement model's cache", () => {
  it("digests every module the fit imports", () => {
    const bundled = relativeImports(join(ROOT, "runtime/src/detector/index.ts"));
    const scripts = relativeImports(join(ROOT, "runtime/scripts/train-detector.mjs"));
    const files = [...bundled, ...scripts].map((f) => relative(ROOT, f));
    expect(files).toContain("runtime/scripts/corpus-agentic.mjs");
    expect(files).toContain("runtime/src/detector/rules.ts");
    expect(files).toContain("runtime/corpus/seeded.mjs");
    const outside = files.filter((f) => !MEASURED_MODEL_INPUTS.some((input) => f === input || f.startsWith(`${input}/`)));
    expect(outside).toEqual([]);
  });

  it("is the fit of the inputs as they are now", () => {
    expect(basename(inject("measuredWeights"))).toBe(`measured-${measuredModelKey()}.json`);
  });
});
