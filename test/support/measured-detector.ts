// The detector with the measurement model (fit by setup-measured-detector.ts): what tests of a held-out
// or validation part score, since the shipped weights were fit on those parts too.
import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { createDetector, createLinearClassifier, type LinearClassifier } from "../../runtime/src/detector/index.js";

let classifier: LinearClassifier | undefined;

export function measuredClassifier(): LinearClassifier {
  classifier ??= createLinearClassifier(JSON.parse(readFileSync(inject("measuredWeights"), "utf8")));
  return classifier;
}

export const measuredDetector = () => createDetector({ classifier: measuredClassifier() });
