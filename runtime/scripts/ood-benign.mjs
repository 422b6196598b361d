// Out-of-distribution benign passages for the detector: the README files of the npm packages
// installed in node_modules (present on every machine after `npm ci`, so tests can use them). READMEs
// are full of benign imperatives addressed to a reader ("Run npm install", "Add the following to your
// config"), exactly the hard negatives a prompt-injection detector must not flag.
//
// Deterministic: packages in sorted order, passages cut on paragraph boundaries with lengths drawn from
// a seeded generator (200–2000 characters). Split BY PACKAGE: the held-out packages are never trained on.

import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a, rng } from "../corpus/seeded.mjs";

const repoDir = join(dirname(fileURLToPath(import.meta.url)), "../..");

export const OOD_SEED = "charter-ood-benign-v1";
export const OOD_HOLDOUT_FRACTION = 0.4;
/** Passages kept per package, so a few very long READMEs do not dominate the figures. */
export const MAX_PASSAGES_PER_PACKAGE = 25;
const MIN_PASSAGE = 200;
const MAX_PASSAGE = 2000;

/**
 * READMEs left out of the benign set because they discuss prompt injection and quote attacks as
 * examples (they are the detectors we compare with): a benign label would be wrong for them.
 */
export const EXCLUDED_PACKAGES = new Set(["@andersmyrmel/vard", "llm_guardrail", "@claude-flow/aidefence"]);

/** Installed packages (top level of node_modules, scoped ones included) with a README, sorted by name. */
export function listReadmes(nodeModules = join(repoDir, "node_modules")) {
  const out = [];
  if (!existsSync(nodeModules)) return out;
  const dirs = [];
  for (const name of readdirSync(nodeModules).sort()) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      for (const sub of readdirSync(join(nodeModules, name)).sort()) dirs.push(name + "/" + sub);
    } else dirs.push(name);
  }
  for (const name of dirs) {
    const dir = join(nodeModules, name);
    if (lstatSync(dir).isSymbolicLink()) continue; // workspace links: our own code, not third-party text
    if (EXCLUDED_PACKAGES.has(name) || !existsSync(join(dir, "package.json"))) continue;
    const readme = readdirSync(dir)
      .sort()
      .find((f) => /^readme(?:\.(?:md|markdown|txt))?$/i.test(f));
    if (readme) out.push({ name, path: join(dir, readme) });
  }
  return out;
}

/** Paragraphs of a markdown text; a fenced code block stays one paragraph. */
function paragraphs(text) {
  const out = [];
  let cur = [];
  let fenced = false;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && !line.trim()) {
      if (cur.length) out.push(cur.join("\n"));
      cur = [];
    } else cur.push(line);
  }
  if (cur.length) out.push(cur.join("\n"));
  return out.flatMap((p) => (p.length <= MAX_PASSAGE ? [p] : splitLong(p)));
}

function splitLong(p) {
  const out = [];
  let cur = "";
  for (const line of p.split("\n")) {
    if (cur && cur.length + line.length + 1 > MAX_PASSAGE) {
      out.push(cur);
      cur = "";
    }
    cur = cur ? cur + "\n" + line : line.slice(0, MAX_PASSAGE);
  }
  if (cur) out.push(cur);
  return out;
}

/** Cuts a document into passages of 200–2000 characters at paragraph boundaries, target lengths seeded. */
export function chunkPassages(text, seed) {
  const rand = rng(seed);
  const target = () => 250 + Math.floor(rand() * 1250);
  const out = [];
  let cur = "";
  let want = target();
  for (const p of paragraphs(text)) {
    if (cur && cur.length + p.length + 2 > MAX_PASSAGE) {
      if (cur.length >= MIN_PASSAGE) out.push(cur);
      cur = "";
      want = target();
    }
    cur = cur ? cur + "\n\n" + p : p;
    if (cur.length >= want) {
      out.push(cur);
      cur = "";
      want = target();
    }
  }
  if (cur.length >= MIN_PASSAGE) out.push(cur);
  return out;
}

/** Evenly spaced choice of at most `max` items, keeping order. */
function spread(items, max) {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}

export function isHeldOutPackage(name, seed = OOD_SEED) {
  return fnv1a(seed + ":" + name) / 4294967296 < OOD_HOLDOUT_FRACTION;
}

/**
 * { train, heldOut, packages }: benign passages `{ id, package, text }`; `heldOut` comes only from
 * packages that `train` never contains.
 */
export function buildOodBenign(options = {}) {
  const readmes = listReadmes(options.nodeModules);
  const train = [];
  const heldOut = [];
  for (const { name, path } of readmes) {
    const passages = spread(chunkPassages(readFileSync(path, "utf8"), OOD_SEED + ":" + name), MAX_PASSAGES_PER_PACKAGE);
    const part = isHeldOutPackage(name) ? heldOut : train;
    passages.forEach((text, i) => {
      part.push({ id: `${name}#${i}`, package: name, text });
    });
  }
  return { train, heldOut, packages: readmes.length };
}
