// Combines the rule layer and a classifier into one score. Combination is a noisy-OR: each fired
// rule and the classifier are independent pieces of evidence, score = 1 − (1 − c) · Π(1 − strength_r),
// so one strong rule alone crosses 0.5 while weak obfuscation signals need corroboration.

import { shippedClassifier } from "./linear-classifier.js";
import { RULE_STRENGTH, runRules } from "./rules.js";
import type { Classifier, Detector, DetectorResult } from "./types.js";

export interface DetectorOptions {
  /** Replaces the shipped classifier; it receives the folded text plus any decoded hidden text. */
  classifier?: Classifier;
}

/** Scores at or above this from the classifier add the "classifier" signal. */
export const CLASSIFIER_SIGNAL_AT = 0.5;

export function createDetector(options: DetectorOptions = {}): Detector {
  const classifier = options.classifier ?? shippedClassifier();
  return {
    score(text: string): DetectorResult {
      const rules = runRules(text);
      const input = rules.revealed.length ? rules.folded + "\n" + rules.revealed.join("\n") : rules.folded;
      const raw = classifier.score(input);
      const c = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
      let benign = 1 - c;
      const signals: string[] = [];
      for (const id of rules.signals) {
        if (id === "classifier") continue;
        benign *= 1 - RULE_STRENGTH[id];
        signals.push(id);
      }
      if (c > CLASSIFIER_SIGNAL_AT) signals.push("classifier");
      return { score: 1 - benign, signals };
    },
  };
}

/** The rule layer alone (no classifier), e.g. for benchmarks or when no model may run. */
export function createRuleDetector(): Detector {
  return createDetector({ classifier: { score: () => 0 } });
}
