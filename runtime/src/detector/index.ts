// Public API of the prompt-injection detector: createDetector (rules + classifier), the pluggable
// Classifier interface, the shipped linear classifier and the JSONL scanner used by `charter scan`.

export type { Classifier, Detector, DetectorResult, SignalId } from "./types.js";
export { createDetector, createRuleDetector, CLASSIFIER_SIGNAL_AT, type DetectorOptions } from "./detector.js";
export { runRules, looksLikeInstruction, RULE_STRENGTH, type RuleResult } from "./rules.js";
export {
  createLinearClassifier,
  shippedClassifier,
  type LinearClassifier,
  type LinearWeights,
  type SegmentScore,
  isStructure,
} from "./linear-classifier.js";
export {
  segmentText,
  segmentWithContext,
  segmentFeatures,
  namedFeatures,
  continuesOnNextLine,
  FEATURE_BITS,
  type ContextSegment,
} from "./features.js";
export { foldText, flattenForRules, readableText, unescapeStringLiterals } from "./normalise.js";
export { scanJsonl, scanRecords, topPassages, type ScanLine, type ScoredPassage } from "./scan-jsonl.js";
