// Held-out evaluation of the detector, side by side with the npm detectors @andersmyrmel/vard and
// llm_guardrail on the same texts: precision, recall and false-positive rate per channel on the
// held-out part of the group split (corpus-split.mjs). Operating point: score > 0.5 is "injection".
//
//   node runtime/scripts/eval-detector.mjs [--json]

import { importDetector } from "./bundle-detector.mjs";
import { readCorpus, splitCorpus } from "./corpus-split.mjs";

export function metrics(rows) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const { y, p } of rows) {
    if (y && p) tp++;
    else if (!y && p) fp++;
    else if (y) fn++;
    else tn++;
  }
  return {
    n: rows.length,
    positives: tp + fn,
    negatives: fp + tn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall: tp + fn ? tp / (tp + fn) : null,
    fpr: fp + tn ? fp / (fp + tn) : null,
  };
}

async function loadOthers() {
  const others = [];
  try {
    const { default: vard } = await import("@andersmyrmel/vard");
    // Moderate preset, as the README recommends; long documents need a larger maxLength than the 10k default.
    const checker = vard.moderate().maxLength(1_000_000);
    others.push({ name: "@andersmyrmel/vard", flag: async (text) => !checker.safeParse(text).safe });
  } catch (e) {
    others.push({ name: "@andersmyrmel/vard", error: `cannot load: ${e.message}` });
  }
  try {
    const { checkInjection } = await import("llm_guardrail");
    others.push({ name: "llm_guardrail", flag: async (text) => (await checkInjection(text)).detected === true });
  } catch (e) {
    others.push({ name: "llm_guardrail", error: `cannot load: ${e.message}` });
  }
  return others;
}

export async function evaluate() {
  const detector = await importDetector();
  const charter = detector.createDetector();
  const { test } = splitCorpus(readCorpus());
  const systems = [{ name: "charter", flag: async (text) => charter.score(text).score > 0.5 }, ...(await loadOthers())];
  const channels = ["email", "table", "code", "instruction", "all"];
  const table = [];
  for (const sys of systems) {
    if (sys.error) {
      table.push({ system: sys.name, error: sys.error });
      continue;
    }
    const rows = [];
    for (const r of test) rows.push({ channel: r.channel, y: r.label === "injection", p: await sys.flag(r.text) });
    for (const channel of channels) {
      table.push({ system: sys.name, channel, ...metrics(channel === "all" ? rows : rows.filter((x) => x.channel === channel)) });
    }
  }
  return { heldOut: test.length, table };
}

const pct = (x) => (x === null ? "   n/a" : (100 * x).toFixed(1).padStart(5) + "%");

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) {
  const result = await evaluate();
  if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`held-out records: ${result.heldOut} (unseen attack categories, unseen benign contexts); injection if score > 0.5\n`);
    console.log("system               channel       inj  benign  precision  recall     FPR");
    for (const row of result.table) {
      if (row.error) console.log(`${row.system.padEnd(20)} ${row.error}`);
      else console.log(`${row.system.padEnd(20)} ${row.channel.padEnd(12)} ${String(row.positives).padStart(4)} ${String(row.negatives).padStart(7)}     ${pct(row.precision)}  ${pct(row.recall)}  ${pct(row.fpr)}`);
    }
  }
}
