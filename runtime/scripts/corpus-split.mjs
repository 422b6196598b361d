// Deterministic group split of the development corpus, shared by training, evaluation and tests.
// Whole attack categories and whole contexts (base documents) are held out, so held-out figures
// measure unseen attacks and unseen benign documents, not memorised strings.

import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a as hash } from "../corpus/seeded.mjs";
import { agenticDir } from "./corpus-agentic.mjs";

export const corpusPath = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/corpora/dev/bipia-train.jsonl");
export const SPLIT_SEED = "charter-detector-split-v1";
export const HOLDOUT_FRACTION = 0.3;

/**
 * Exits with a clear message when the shared corpora the detector's scripts read are missing: they live
 * beside the checkout (../shared/corpora), not in it.
 */
export function requireCorpora(script, paths = [corpusPath, join(agenticDir, "injections.jsonl"), join(agenticDir, "benign.jsonl")]) {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  console.error(
    `${script}: the detector's corpora are missing: ${missing.join(", ")}\n` +
      "  hint: they are the shared corpora beside this checkout (../shared/corpora/dev and ../shared/corpora/agentic; docs/detector.md, Evaluation sets)",
  );
  process.exit(2);
}

export function readCorpus(path = corpusPath) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** The first `fraction` of the keys when ordered by a seeded hash. */
function pick(keys, fraction, seed) {
  const sorted = [...new Set(keys)].sort((a, b) => hash(seed + a) - hash(seed + b) || (a < b ? -1 : 1));
  return new Set(sorted.slice(0, Math.round(sorted.length * fraction)));
}

export const contextOf = (r) => r.source.split("+")[0];

/**
 * train: records with neither a held-out category nor a held-out context.
 * test: benign records of held-out contexts, and injections of held-out categories (any context, and
 * the bare instructions). Everything else is left out of both.
 */
export function splitCorpus(records, seed = SPLIT_SEED) {
  const heldCategories = pick(
    records.filter((r) => r.label === "injection").map((r) => r.attack_category),
    HOLDOUT_FRACTION,
    seed,
  );
  const heldContexts = new Set();
  for (const channel of ["email", "table", "code"]) {
    for (const c of pick(records.filter((r) => r.channel === channel && r.label === "benign").map(contextOf), HOLDOUT_FRACTION, seed))
      heldContexts.add(c);
  }
  const train = [];
  const test = [];
  for (const r of records) {
    const heldCat = r.label === "injection" && heldCategories.has(r.attack_category);
    const heldCtx = r.channel !== "instruction" && heldContexts.has(contextOf(r));
    if (!heldCat && !heldCtx) train.push(r);
    else if (r.label === "benign" && heldCtx) test.push(r);
    else if (r.label === "injection" && heldCat) test.push(r);
  }
  return { train, test, heldCategories: [...heldCategories].sort(), heldContexts: heldContexts.size };
}
