// Validation of the detector's training recipe on the TRAINING side only: the training parts of the
// corpora are split once more (inner seeds), a model is trained on the inner training part exactly as
// train-detector.mjs does, and recall / false-positive rate are reported on the inner validation part,
// with the errors (the most suspicious segment of each), for error analysis. The held-out parts that
// eval-detector.mjs reports are never read here.
//
//   node runtime/scripts/validate-detector.mjs [--errors]

import { importDetector } from "./bundle-detector.mjs";
import { readCorpus, splitCorpus } from "./corpus-split.mjs";
import { splitAgentic } from "./corpus-agentic.mjs";
import { buildAgentCorpus } from "../corpus/agent-attacks.mjs";
import { buildToolOutputs } from "../corpus/tool-outputs.mjs";
import { buildBenignShort } from "./benign-short.mjs";
import { buildOodBenign } from "./ood-benign.mjs";
import { buildExamples, fitModel, HYPERPARAMETERS } from "./train-detector.mjs";

export const INNER_SEED = "charter-inner-validation-v1";

export function innerSplit() {
  const bipia = splitCorpus(splitCorpus(readCorpus()).train, INNER_SEED);
  const agentic = splitAgentic(splitAgentic().train, INNER_SEED);
  const tools = buildToolOutputs();
  return {
    train: {
      bipia: bipia.train,
      agentic: agentic.train,
      agent: buildAgentCorpus().filter((r) => r.part === "train"),
      tools: tools.filter((r) => r.part === "train"),
      ood: buildOodBenign().train.map((p) => p.text),
      short: buildBenignShort().train.map((r) => r.text),
    },
    val: { bipia: bipia.test, agentic: agentic.test, tools: tools.filter((r) => r.part === "val") },
  };
}

async function main() {
  const detector = await importDetector();
  const { train, val } = innerSplit();
  const { examples } = buildExamples(detector, train);
  // CHARTER_HP='{"positiveWeight":0.5}' tries other hyperparameters on the inner split.
  const hp = { ...HYPERPARAMETERS, ...JSON.parse(process.env.CHARTER_HP ?? "{}") };
  const model = fitModel(detector, examples, {}, hp);
  const classifier = detector.createLinearClassifier(model);
  const full = detector.createDetector({ classifier });
  const showErrors = process.argv.includes("--errors");
  const groups = [
    ...["email", "table", "code", "instruction"].map((c) => [`bipia ${c}`, val.bipia.filter((r) => r.channel === c)]),
    ...["tool_result", "email", "document", "web", "memory"].map((c) => [`agentic ${c}`, val.agentic.filter((r) => r.channel === c)]),
    ["tool outputs (Charter)", val.tools],
  ];
  console.log(JSON.stringify(hp));
  console.log("inner validation (training side only)      inj  caught  benign  flagged");
  for (const [name, rs] of groups) {
    const inj = rs.filter((r) => r.label === "injection");
    const ben = rs.filter((r) => r.label === "benign");
    const hit = (r) => full.score(r.text).score > 0.5;
    const misses = inj.filter((r) => !hit(r));
    const fps = ben.filter(hit);
    console.log(
      `${name.padEnd(42)} ${String(inj.length).padStart(4)} ${String(inj.length - misses.length).padStart(7)} ${String(ben.length).padStart(7)} ${String(fps.length).padStart(8)}`,
    );
    if (!showErrors) continue;
    for (const r of fps.slice(0, 6)) {
      const top = classifier.explain(r.text)[0];
      console.log(
        `   FP   ${full.score(r.text).signals.join(",")} ${JSON.stringify(top?.segment ?? "").slice(0, 150)} ${top?.score.toFixed(2)}`,
      );
    }
    for (const r of misses.slice(0, 10)) {
      const top = classifier.explain(r.text)[0];
      console.log(
        `   MISS ${JSON.stringify(r.insert ?? r.text).slice(0, 120)}\n        top ${top?.score.toFixed(2)} ${JSON.stringify(top?.segment ?? "").slice(0, 120)}`,
      );
    }
  }
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) await main();
