// The built-in classifier: logistic regression over hashed segment features (features.ts), with
// weights trained by runtime/scripts/train-detector.mjs and shipped as weights.json. A text's score
// is the highest segment score, so one injected passage is not diluted by a long benign document;
// each segment is scored with its context in the document (structure around it, word overlap).

import { FEATURE_BITS, segmentFeatures, segmentWithContext, type SparseVector } from "./features.js";
import type { Classifier } from "./types.js";
import shippedWeights from "./weights.json" with { type: "json" };

export interface LinearWeights {
  format: "charter-detector-lr/1";
  featureBits: number;
  /** Sparse [featureIndex, weight] pairs; the bias is the hashed "bias" feature. */
  weights: [number, number][];
  trainedOn?: unknown;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function dot(dense: Float64Array, x: SparseVector): number {
  let z = 0;
  for (let i = 0; i < x.index.length; i++) z += dense[x.index[i]!]! * x.value[i]!;
  return z;
}

export interface SegmentScore {
  segment: string;
  /** The segment's context tags in the document (features.ts, segmentWithContext). */
  context: string[];
  score: number;
}

export interface LinearClassifier extends Classifier {
  /** Per-segment scores, highest first; for explaining a decision. */
  explain(text: string): SegmentScore[];
}

export function createLinearClassifier(model: LinearWeights): LinearClassifier {
  if (model.format !== "charter-detector-lr/1" || model.featureBits !== FEATURE_BITS) {
    throw new Error(`detector weights have format ${model.format}/${model.featureBits} bits; expected charter-detector-lr/1/${FEATURE_BITS}`);
  }
  const dense = new Float64Array(1 << FEATURE_BITS);
  for (const [i, w] of model.weights) dense[i] = w;
  const segmentScore = (segment: string, context: readonly string[]) => sigmoid(dot(dense, segmentFeatures(segment, context)));
  return {
    score(text: string): number {
      let best = 0;
      for (const { segment, context } of segmentWithContext(text)) {
        const s = segmentScore(segment, context);
        if (s > best) best = s;
      }
      return best;
    },
    explain(text: string): SegmentScore[] {
      return segmentWithContext(text)
        .map(({ segment, context }) => ({ segment, context, score: segmentScore(segment, context) }))
        .sort((a, b) => b.score - a.score);
    },
  };
}

let shipped: LinearClassifier | undefined;

/** The classifier trained in this repository, built once from the shipped weights.json. */
export function shippedClassifier(): LinearClassifier {
  shipped ??= createLinearClassifier(shippedWeights as LinearWeights);
  return shipped;
}
