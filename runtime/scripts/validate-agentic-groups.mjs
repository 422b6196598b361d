// Repeated leave-groups-out validation of the detector's recipe on the shared agentic corpus's
// TRAINING side only: for each of N seeds the training side is split again by corpus-agentic.mjs's own
// group rule (whole attack categories and whole benign source files held out), a model is trained as
// train-detector.mjs does (every other corpus's training part unchanged) and recall / false-positive
// rate are measured per channel on the held groups. It estimates what the held-out groups of
// eval-detector.mjs (never read here) measure — sources the model has never seen — with about five times
// the items of validate-detector.mjs's single inner split, so a recipe change is judged on more than a
// few dozen tool results.
//
//   node runtime/scripts/validate-agentic-groups.mjs [--seeds N] [--threshold T] [--errors]
//
// CHARTER_HP='{"l2":1e-3}' tries other hyperparameters, as in validate-detector.mjs.

import { requireCorpora } from "./corpus-split.mjs";
import { importDetector } from "./bundle-detector.mjs";
import { splitAgentic } from "./corpus-agentic.mjs";
import { buildExamples, fitModel, HYPERPARAMETERS } from "./train-detector.mjs";

const CHANNELS = ["tool_result", "email", "document", "web", "memory"];

const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

/** The N inner splits of the agentic training side, one per seed. */
export function agenticFolds(seeds) {
  const side = splitAgentic().train;
  return Array.from({ length: seeds }, (_, k) => splitAgentic(side, `charter-agentic-groups-v1-${k}`));
}

/** The detector's score and the classifier's most suspicious segment, for error analysis. */
function topOf(full, classifier, text) {
  const s = full.score(text);
  const top = classifier.explain(text)[0];
  return `${s.score.toFixed(2)} [${s.signals.join(",")}] ${JSON.stringify(top?.segment ?? text).slice(0, 150)}`;
}

async function main() {
  requireCorpora("validate-agentic-groups");
  const seeds = option("--seeds", 5);
  const threshold = option("--threshold", 0.5);
  const detector = await importDetector();
  const hp = { ...HYPERPARAMETERS, ...JSON.parse(process.env.CHARTER_HP ?? "{}") };
  const showErrors = process.argv.includes("--errors");
  const errors = [];
  const scored = [];
  const totals = new Map(CHANNELS.map((c) => [c, { inj: 0, caught: 0, ben: 0, flagged: 0 }]));
  for (const { train, test } of agenticFolds(seeds)) {
    const { examples, documents } = buildExamples(detector, { agentic: train });
    const classifier = detector.createLinearClassifier(fitModel(detector, examples, {}, hp, documents));
    const full = detector.createDetector({ classifier });
    for (const r of test) {
      const t = totals.get(r.channel);
      if (t === undefined) continue;
      const score = full.score(r.text).score;
      const hit = score > threshold;
      scored.push({ injection: r.label === "injection", score });
      if (r.label === "injection") {
        t.inj++;
        if (hit) t.caught++;
        else if (showErrors)
          errors.push(`MISS ${r.channel} ${r.attack_category ?? r.source.split("@")[0]} ${topOf(full, classifier, r.text)}`);
      } else {
        t.ben++;
        if (hit) t.flagged++;
        if (hit && showErrors) errors.push(`FP   ${r.channel} ${r.source.split("@")[0]} ${topOf(full, classifier, r.text)}`);
      }
    }
  }
  for (const e of errors.sort()) console.log("   " + e);
  const pct = (a, b) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}%`.padStart(7);
  console.log(JSON.stringify(hp));
  console.log(`unseen groups, ${seeds} seeds, threshold ${threshold}   inj  recall  benign     FPR`);
  const all = { inj: 0, caught: 0, ben: 0, flagged: 0 };
  for (const [channel, t] of totals) {
    for (const k of Object.keys(all)) all[k] += t[k];
    console.log(
      `${channel.padEnd(36)} ${String(t.inj).padStart(5)} ${pct(t.caught, t.inj)} ${String(t.ben).padStart(7)} ${pct(t.flagged, t.ben)}`,
    );
  }
  // The curve, apart from where scoreShift puts 0.5: recall where the threshold lets through 0.5%, 1%
  // or 2% of these benign records.
  const benignScores = scored
    .filter((x) => !x.injection)
    .map((x) => x.score)
    .sort((a, b) => b - a);
  const atFpr = [0.005, 0.01, 0.02].map((fpr) => {
    const t = benignScores[Math.floor(fpr * benignScores.length)] ?? 1;
    const caught = scored.filter((x) => x.injection && x.score > t).length;
    return `${(fpr * 100).toFixed(1)}% FPR: ${pct(caught, all.inj).trim()}`;
  });
  console.log(`recall at  ${atFpr.join("  ")}`);
  console.log(
    `${"all".padEnd(36)} ${String(all.inj).padStart(5)} ${pct(all.caught, all.inj)} ${String(all.ben).padStart(7)} ${pct(all.flagged, all.ben)}`,
  );
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) await main();
