// Validation of the detector's training recipe on the TRAINING side only: the training parts of the
// corpora are split once more (inner seeds), a model is trained on the inner training part exactly as
// train-detector.mjs does, and recall / false-positive rate are reported on the inner validation part,
// with the errors (the most suspicious segment of each), for error analysis. The held-out parts that
// eval-detector.mjs reports are never read here.
//
//   node runtime/scripts/validate-detector.mjs [--errors] [--all]
//
// Each group's false positives are attributed: "rules" (the rule layer alone is above 0.5: the model
// cannot fix it), "model" (the classifier alone is), "both" (neither alone, the noisy-OR is). --all
// prints every error instead of the first few.

import { importDetector } from "./bundle-detector.mjs";
import { readCorpus, splitCorpus, requireCorpora } from "./corpus-split.mjs";
import { splitAgentic } from "./corpus-agentic.mjs";
import { buildAgentCorpus } from "../corpus/agent-attacks.mjs";
import { buildToolOutputs } from "../corpus/tool-outputs.mjs";
import { buildAgentToolResults } from "../corpus/agent-tool-results.mjs";
import { bipiaAttacksInProse, PROSE_CARRIERS, prosePartOf } from "../corpus/prose-carriers.mjs";
import { buildBenignShort } from "./benign-short.mjs";
import { buildOodBenign } from "./ood-benign.mjs";
import { buildExamples, fitModel, HYPERPARAMETERS } from "./train-detector.mjs";

export const INNER_SEED = "charter-inner-validation-v1";

function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
const innerHalf = (id) => (fnv(INNER_SEED + id) >>> 16) % 2;

export function innerSplit() {
  const bipia = splitCorpus(splitCorpus(readCorpus()).train, INNER_SEED);
  const agentic = splitAgentic(splitAgentic().train, INNER_SEED);
  const tools = buildToolOutputs();
  const agentTools = buildAgentToolResults();
  // The benign short texts' training part, halved: questions and requests between people, the class the
  // detector flags most easily (the "final" part is never read here).
  const shortTrain = buildBenignShort().train;
  // The inner validation's BIPIA attacks placed in the val prose carriers, and those carriers alone.
  const valProse = PROSE_CARRIERS.filter((c) => prosePartOf(c.id) === "val");
  const proseVal = [
    ...bipiaAttacksInProse(bipia.test, valProse).map((p) => ({ ...p, label: "injection" })),
    ...valProse.map((c) => ({ text: c.text, label: "benign" })),
  ];
  return {
    train: {
      bipia: bipia.train,
      agentic: agentic.train,
      agent: buildAgentCorpus().filter((r) => r.part === "train"),
      tools: tools.filter((r) => r.part === "train"),
      agentTools: agentTools.filter((r) => r.part === "train"),
      ood: buildOodBenign().train.map((p) => p.text),
      short: shortTrain.filter((r) => innerHalf(r.id) === 0).map((r) => r.text),
      prose: PROSE_CARRIERS.filter((c) => prosePartOf(c.id) === "train"),
    },
    val: {
      bipia: bipia.test,
      agentic: agentic.test,
      tools: tools.filter((r) => r.part === "val"),
      extra: [
        ["agent tool results (Charter)", agentTools.filter((r) => r.part === "val" && r.channel !== "bare")],
        ["agent tool results, bare fillers", agentTools.filter((r) => r.part === "val" && r.channel === "bare")],
        ["BIPIA attacks in prose (val carriers)", proseVal],
        ["benign short texts (inner half)", shortTrain.filter((r) => innerHalf(r.id) === 1).map((r) => ({ ...r, label: "benign" }))],
      ],
    },
  };
}

async function main() {
  requireCorpora("validate-detector");
  const detector = await importDetector();
  const { train, val } = innerSplit();
  // CHARTER_VALIDATE_WITHOUT=agentTools,tools trains without those training parts (what a corpus adds).
  for (const part of (process.env.CHARTER_VALIDATE_WITHOUT ?? "").split(",").filter(Boolean)) train[part] = [];
  const { examples, documents } = buildExamples(detector, train);
  // CHARTER_HP='{"positiveWeight":0.5}' tries other hyperparameters on the inner split.
  const hp = { ...HYPERPARAMETERS, ...JSON.parse(process.env.CHARTER_HP ?? "{}") };
  const model = fitModel(detector, examples, {}, hp, documents);
  const classifier = detector.createLinearClassifier(model);
  const full = detector.createDetector({ classifier });
  const showErrors = process.argv.includes("--errors") || process.argv.includes("--all");
  const every = process.argv.includes("--all");
  const rulesOnly = detector.createRuleDetector();
  // What detector.ts hands the classifier: the rules' folded text plus any decoded hidden text.
  const classifierInput = (text) => {
    const rr = detector.runRules(text);
    return rr.revealed.length ? rr.folded + "\n" + rr.revealed.join("\n") : rr.folded;
  };
  const groups = [
    ...["email", "table", "code", "instruction"].map((c) => [`bipia ${c}`, val.bipia.filter((r) => r.channel === c)]),
    ...["tool_result", "email", "document", "web", "memory"].map((c) => [`agentic ${c}`, val.agentic.filter((r) => r.channel === c)]),
    ["tool outputs (Charter)", val.tools],
    ...(val.extra ?? []).map(([name, rs]) => [name, rs]),
  ];
  const total = { inj: 0, caught: 0, ben: 0, flagged: 0, rules: 0, model: 0, both: 0 };
  console.log(JSON.stringify(hp));
  console.log("inner validation (training side only)      inj  caught  benign  flagged   FP by rules/model/both");
  for (const [name, rs] of groups) {
    const inj = rs.filter((r) => r.label === "injection");
    const ben = rs.filter((r) => r.label === "benign");
    const hit = (r) => full.score(r.text).score > 0.5;
    const misses = inj.filter((r) => !hit(r));
    const fps = ben.filter(hit);
    const by = { rules: 0, model: 0, both: 0 };
    for (const r of fps) {
      if (rulesOnly.score(r.text).score > 0.5) by.rules++;
      else if (classifier.score(classifierInput(r.text)) > 0.5) by.model++;
      else by.both++;
    }
    total.inj += inj.length;
    total.caught += inj.length - misses.length;
    total.ben += ben.length;
    total.flagged += fps.length;
    for (const k of ["rules", "model", "both"]) total[k] += by[k];
    console.log(
      `${name.padEnd(42)} ${String(inj.length).padStart(4)} ${String(inj.length - misses.length).padStart(7)} ${String(ben.length).padStart(7)} ${String(fps.length).padStart(8)}   ${by.rules}/${by.model}/${by.both}`,
    );
    if (!showErrors) continue;
    for (const r of every ? fps : fps.slice(0, 6)) {
      const top = classifier.explain(r.text)[0];
      console.log(
        `   FP   ${full.score(r.text).signals.join(",")} ${JSON.stringify(top?.segment ?? "").slice(0, 150)} ${top?.score.toFixed(2)}`,
      );
    }
    for (const r of every ? misses : misses.slice(0, 10)) {
      const top = classifier.explain(r.text)[0];
      console.log(
        `   MISS ${JSON.stringify(r.insert ?? r.text).slice(0, 120)}\n        top ${top?.score.toFixed(2)} ${JSON.stringify(top?.segment ?? "").slice(0, 120)}`,
      );
    }
  }
  const pct = (a, b) => ((100 * a) / Math.max(b, 1)).toFixed(1) + "%";
  // Operating points: recall and FPR over every group at other thresholds of the combined score.
  const all = groups.flatMap(([, rs]) => rs).map((r) => ({ y: r.label === "injection", s: full.score(r.text).score }));
  const sweep = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((t) => {
    const tp = all.filter((x) => x.y && x.s > t).length;
    const fp = all.filter((x) => !x.y && x.s > t).length;
    return `>${t}: ${pct(tp, total.inj)} / ${pct(fp, total.ben)}`;
  });
  console.log("recall / FPR at other thresholds  " + sweep.join("  "));
  console.log(
    `${"all".padEnd(42)} ${String(total.inj).padStart(4)} ${String(total.caught).padStart(7)} ${String(total.ben).padStart(7)} ${String(total.flagged).padStart(8)}   ${total.rules}/${total.model}/${total.both}   recall ${pct(total.caught, total.inj)}, FPR ${pct(total.flagged, total.ben)}`,
  );
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) await main();
