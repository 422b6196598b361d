// Rule cases written as lists: each attack must raise its signal in the rule layer and score above 0.5
// with the shipped classifier; each benign text must raise no rule and score below 0.5 (or, with
// describeRuleBenign, only raise no rule: look-alikes the classifier is known to flag).
import { describe, expect, it } from "vitest";
import { createDetector, createRuleDetector } from "../../runtime/src/detector/index.js";

const detector = createDetector();
const rules = createRuleDetector();

export function describeAttacks(title: string, attacks: readonly (readonly [string, string])[]): void {
  describe(title, () => {
    for (const [signal, text] of attacks)
      it(`flags ${signal}: ${text.slice(0, 60)}`, () => {
        expect(rules.score(text).signals).toContain(signal);
        expect(detector.score(text).score).toBeGreaterThan(0.5);
      });
  });
}

export function describeRuleBenign(title: string, texts: readonly string[]): void {
  describe(title, () => {
    for (const text of texts)
      it(`raises no rule: ${text.slice(0, 60)}`, () => {
        expect(rules.score(text).signals).toEqual([]);
      });
  });
}

export function describeBenign(title: string, texts: readonly string[]): void {
  describe(title, () => {
    for (const text of texts)
      it(`passes: ${text.slice(0, 60)}`, () => {
        expect(rules.score(text).signals).toEqual([]);
        expect(detector.score(text).score).toBeLessThan(0.5);
      });
  });
}
