// The built-in classifier: logistic regression over hashed segment features (features.ts), with
// weights trained by runtime/scripts/train-detector.mjs and shipped as weights.json. A text's score
// is the highest segment score, so one injected passage is not diluted by a long benign document;
// each segment is scored with its context in the document (structure around it, word overlap).

import { emitFeatures, FEATURE_BITS, segmentWithContext, type SparseVector } from "./features.js";
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
    throw new Error(
      `detector weights have format ${model.format}/${model.featureBits} bits; expected charter-detector-lr/1/${FEATURE_BITS}`,
    );
  }
  const dense = new Float32Array(1 << FEATURE_BITS);
  for (const [i, w] of model.weights) dense[i] = w;
  // The dot product is linear, so each hashed feature is added as it is emitted: no vector is built.
  let z = 0;
  const sink = (i: number, v: number) => {
    z += dense[i]! * v;
  };
  const segmentScore = (segment: string, context: readonly string[]) => {
    z = 0;
    emitFeatures(segment, context, sink);
    return sigmoid(z);
  };
  return {
    score(text: string): number {
      let best = 0;
      for (const { segment, context } of segmentWithContext(text)) {
        // A segment without a letter ("{", "---", "| 12 | 4.5 |") is structure, never an instruction.
        if (isStructure(segment)) continue;
        const s = segmentScore(segment, context);
        if (s > best) best = s;
      }
      return best;
    },
    explain(text: string): SegmentScore[] {
      return segmentWithContext(text)
        .map(({ segment, context }) => ({ segment, context, score: isStructure(segment) ? 0 : segmentScore(segment, context) }))
        .sort((a, b) => b.score - a.score);
    },
  };
}

const HAS_LETTER = /\p{L}/u;
const JSON_KEY_LINE = /^[\s{[]*"[^"]{0,60}"\s*:\s*[{[]?\s*$/;

const WORDS = /[\p{L}\p{N}]+/gu;
const CJK_RUN6 = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{6}/;

/**
 * Segments the classifier does not judge: document structure — no letter at all ("{", "---",
 * "| 12 | 4.5 |"), a JSON key opening an object or array ("\"emails\": [") — and passages of fewer
 * than three words (six CJK characters): a heading, a field label, "return data". One or two words
 * are too little evidence for a bag-of-words model (they made README headings and WHOIS labels
 * injections); short attacks are the rule layer's.
 */
export function isStructure(segment: string): boolean {
  if (!HAS_LETTER.test(segment) || JSON_KEY_LINE.test(segment)) return true;
  WORDS.lastIndex = 0;
  let words = 0;
  while (WORDS.exec(segment) && ++words < 3);
  return words < 3 && !CJK_RUN6.test(segment);
}

let shipped: LinearClassifier | undefined;

/** The classifier trained in this repository, built once from the shipped weights.json. */
export function shippedClassifier(): LinearClassifier {
  shipped ??= createLinearClassifier(shippedWeights as LinearWeights);
  return shipped;
}
