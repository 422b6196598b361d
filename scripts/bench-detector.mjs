// Throughput of the prompt-injection detector over the development corpus: the rule layer alone and
// the full detector (rules + shipped classifier), in MB/s of UTF-8 input. Goal: rules >= 20 MB/s.
//
//   node scripts/bench-detector.mjs

import { importDetector } from "../runtime/scripts/bundle-detector.mjs";
import { readCorpus } from "../runtime/scripts/corpus-split.mjs";

const MIN_SECONDS = 1.5;

function measure(label, texts, fn) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  for (const t of texts) fn(t); // warm-up
  let rounds = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (const t of texts) fn(t);
    rounds++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  const mbps = (bytes * rounds) / 1e6 / elapsed;
  console.log(
    `${label.padEnd(30)} ${mbps.toFixed(1).padStart(7)} MB/s  (${texts.length} records, ${(bytes / 1e3).toFixed(0)} kB x ${rounds} rounds)`,
  );
  return mbps;
}

const detector = await importDetector();
const texts = readCorpus().map((r) => r.text);
const full = detector.createDetector();
const rulesOnly = measure("rule layer (runRules)", texts, (t) => detector.runRules(t));
measure("full detector (rules + model)", texts, (t) => full.score(t));
if (rulesOnly < 20) {
  console.error(`rule layer below the 20 MB/s goal`);
  process.exitCode = 1;
}
