// The training-side estimators never read the held-out part of the shared agentic corpus, and each of
// validate-agentic-groups.mjs's re-splits holds out whole groups, as the held-out split does: a group of
// near-copies on both sides would make the estimate read like memory, not like unseen sources.
import { describe, expect, it } from "vitest";
import { benignGroup, injectionGroup, splitAgentic } from "../scripts/corpus-agentic.mjs";
import { agenticFolds } from "../scripts/validate-agentic-groups.mjs";

describe("validate-agentic-groups.mjs re-splits", () => {
  const heldOut = new Set(splitAgentic().test.map((r) => r.id));
  const folds = agenticFolds(5);

  it("read only the training side of the held-out split", () => {
    for (const { train, test } of folds) {
      expect([...train, ...test].filter((r) => heldOut.has(r.id))).toEqual([]);
    }
  });

  it("hold out whole injection groups and whole benign source files", () => {
    for (const { train, test } of folds) {
      const trainedInjections = new Set(train.filter((r) => r.label === "injection").map(injectionGroup));
      const trainedFiles = new Set(train.filter((r) => r.label === "benign").map(benignGroup));
      const tested = test.filter((r) =>
        r.label === "injection" ? trainedInjections.has(injectionGroup(r)) : trainedFiles.has(benignGroup(r)),
      );
      expect(tested).toEqual([]);
      expect(test.filter((r) => r.label === "injection").length).toBeGreaterThan(100);
      expect(test.filter((r) => r.label === "benign").length).toBeGreaterThan(100);
    }
  });

  it("differ from seed to seed", () => {
    const testIds = (k: number) =>
      folds[k]!.test.map((r) => r.id)
        .sort()
        .join(",");
    expect(new Set(folds.map((_, k) => testIds(k))).size).toBe(5);
  });
});
