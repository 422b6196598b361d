// Leave-categories-out validation of the detector's recipe on BIPIA's TRAINING side only: the training
// categories are dealt into folds; for each fold, a model is trained (as train-detector.mjs does) on
// everything except that fold's attacks, and its recall is measured on them — how the recipe does on
// attack categories it has never seen, which is what the held-out split (never read here) measures.
// Benign contexts are shared by all folds, so this reports recall only; validate-detector.mjs reports
// false positives.
//
//   node runtime/scripts/validate-bipia-categories.mjs [--folds N] [--errors]

import { importDetector } from "./bundle-detector.mjs";
import { contextOf, readCorpus, splitCorpus, requireCorpora } from "./corpus-split.mjs";
import { buildExamples, fitModel, HYPERPARAMETERS, insertedText } from "./train-detector.mjs";
import { fnv1a as hash } from "../corpus/seeded.mjs";

const FOLD_SEED = "charter-bipia-category-folds-v1";

/** The attack as inserted into its context: the injected text minus the benign original around it. */
function insertedOf(r, records) {
  const base = records.find((b) => b.label === "benign" && contextOf(b) === contextOf(r))?.text ?? "";
  return insertedText(r.text, base);
}

export function categoryFolds(train, folds) {
  const categories = [...new Set(train.filter((r) => r.label === "injection").map((r) => r.attack_category))];
  categories.sort((a, b) => hash(FOLD_SEED + a) - hash(FOLD_SEED + b) || (a < b ? -1 : 1));
  return Array.from({ length: folds }, (_, f) => new Set(categories.filter((_, i) => i % folds === f)));
}

async function main() {
  requireCorpora("validate-bipia-categories");
  const at = process.argv.indexOf("--folds");
  const folds = at > 0 ? Number(process.argv[at + 1]) : 5;
  const detector = await importDetector();
  const { train } = splitCorpus(readCorpus());
  const hp = { ...HYPERPARAMETERS, ...JSON.parse(process.env.CHARTER_HP ?? "{}") };
  const totals = { embedded: [0, 0], bare: [0, 0] };
  for (const held of categoryFolds(train, folds)) {
    const kept = train.filter((r) => !(r.label === "injection" && held.has(r.attack_category)));
    const { examples, documents } = buildExamples(detector, { bipia: kept });
    const full = detector.createDetector({ classifier: detector.createLinearClassifier(fitModel(detector, examples, {}, hp, documents)) });
    const test = train.filter((r) => r.label === "injection" && held.has(r.attack_category));
    const line = [];
    for (const [kind, rs] of [
      ["embedded", test.filter((r) => r.channel !== "instruction")],
      ["bare", test.filter((r) => r.channel === "instruction")],
    ]) {
      const missed = rs.filter((r) => full.score(r.text).score <= 0.5);
      const caught = rs.length - missed.length;
      if (process.argv.includes("--errors"))
        for (const r of missed) {
          const top = full.score(r.text).score.toFixed(2);
          console.log(
            `   MISS ${r.attack_category} / ${r.channel} ${top} ${JSON.stringify(r.channel === "instruction" ? r.text : insertedOf(r, train)).slice(0, 160)}`,
          );
        }
      totals[kind][0] += caught;
      totals[kind][1] += rs.length;
      line.push(`${kind} ${caught}/${rs.length}`);
    }
    console.log(`held out ${[...held].join(", ")}: ${line.join(", ")}`);
  }
  const pct = ([a, b]) => `${a}/${b} (${((100 * a) / Math.max(b, 1)).toFixed(1)}%)`;
  console.log(`unseen categories, recall: embedded ${pct(totals.embedded)}, bare ${pct(totals.bare)}`);
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) await main();
