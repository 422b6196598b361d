import { describe, expect, it } from "vitest";
import { createDetector, createRuleDetector } from "../src/detector/index.js";
import { buildOodBenign, EXCLUDED_PACKAGES } from "../scripts/ood-benign.mjs";
import { buildOodInjections, readCarriers, readPayloads, STYLES } from "../scripts/ood-injections.mjs";
import { measuredDetector } from "../../test/support/measured-detector.js";

// Out-of-distribution figures from `node runtime/scripts/eval-detector.mjs` (sections 2 and 3):
// held-out README passages: 2 of 725 flagged (0.3%); hand-written injections: tune 93.1% (67/72),
// final 86.5% (64/74) when first written (stop 25, the measurement model on 852 passages: 0 flagged;
// tune 68/72, final 63/74). Asserted with a margin of about two items so that a regression fails.
describe("out-of-distribution evaluation sets", () => {
  const ood = buildOodBenign();
  const injections = buildOodInjections(ood.heldOut);

  it("builds the benign set from installed READMEs, split by package", () => {
    expect(ood.packages).toBeGreaterThanOrEqual(300);
    expect(ood.heldOut.length).toBeGreaterThanOrEqual(600);
    const trainPackages = new Set(ood.train.map((p) => p.package));
    for (const p of ood.heldOut) expect(trainPackages.has(p.package)).toBe(false);
    for (const p of [...ood.train, ...ood.heldOut]) {
      expect(EXCLUDED_PACKAGES.has(p.package)).toBe(false);
      expect(p.text.length).toBeGreaterThanOrEqual(200);
      expect(p.text.length).toBeLessThanOrEqual(2000);
    }
  });

  it("is deterministic", () => {
    expect(buildOodBenign().heldOut.map((p) => p.id)).toEqual(ood.heldOut.map((p) => p.id));
    expect(buildOodInjections(ood.heldOut).map((r) => r.text)).toEqual(injections.map((r) => r.text));
  });

  it("has every style in both the tune and the final part, and carriers only from held-out packages", () => {
    expect(readPayloads().length).toBeGreaterThanOrEqual(140);
    for (const style of STYLES) {
      expect(injections.filter((r) => r.style === style && r.part === "tune").length).toBeGreaterThanOrEqual(5);
      expect(injections.filter((r) => r.style === style && r.part === "final").length).toBeGreaterThanOrEqual(5);
    }
    const heldOutIds = new Set(ood.heldOut.map((p) => p.id));
    const carrierIds = new Set(readCarriers().map((c) => c.id));
    for (const r of injections) expect(heldOutIds.has(r.carrier) || carrierIds.has(r.carrier)).toBe(true);
  });
});

describe("detector on out-of-distribution material", () => {
  const detector = createDetector();
  const flagged = (texts: string[], d = detector) => texts.filter((t) => d.score(t).score > 0.5).length;
  const { heldOut } = buildOodBenign();
  const injections = buildOodInjections(heldOut);

  // The shipped weights were fit on these passages too; the measurement model was not.
  it("flags at most 1.5% of held-out README passages", () => {
    expect(
      flagged(
        heldOut.map((p) => p.text),
        measuredDetector(),
      ) / heldOut.length,
    ).toBeLessThanOrEqual(0.015);
  });
  it("rules alone flag at most 0.5% of held-out README passages", () => {
    expect(
      flagged(
        heldOut.map((p) => p.text),
        createRuleDetector(),
      ) / heldOut.length,
    ).toBeLessThanOrEqual(0.005);
  });
  it("flags none of the hand-written benign carriers on their own", () => {
    expect(flagged(readCarriers().map((c) => c.text))).toBe(0);
  });
  it("recalls at least 90% of the tune part of the hand-written injections", () => {
    const tune = injections.filter((r) => r.part === "tune");
    expect(flagged(tune.map((r) => r.text)) / tune.length).toBeGreaterThanOrEqual(0.9);
  });
  it("recalls at least 82% of the final (never inspected) part", () => {
    const final = injections.filter((r) => r.part === "final");
    expect(flagged(final.map((r) => r.text)) / final.length).toBeGreaterThanOrEqual(0.82);
  });
  for (const style of STYLES) {
    it(`recalls at least 65% of ${style} injections`, () => {
      const ofStyle = injections.filter((r) => r.style === style);
      expect(flagged(ofStyle.map((r) => r.text)) / ofStyle.length).toBeGreaterThanOrEqual(0.65);
    });
  }
});
