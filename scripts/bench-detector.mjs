// Throughput of the prompt-injection detector over the development corpus: the rule layer alone and
// the full detector (rules + shipped classifier), in MB/s of UTF-8 input. Goals: rules >= 20 MB/s,
// rules + model >= 2 MB/s. The machine may be shared: the CPU time of this process is printed beside
// the wall-clock figure, and the share of the full detector's time its rule layer takes.
//
//   node scripts/bench-detector.mjs
//   node scripts/bench-detector.mjs --baseline DIR   # also the rule layer of another checkout (e.g. a
//                                                    # `git archive` of an older commit), interleaved
//                                                    # pass by pass with this one: the ratio is what
//                                                    # to trust on a loaded machine

import { importDetector } from "../runtime/scripts/bundle-detector.mjs";
import { readCorpus } from "../runtime/scripts/corpus-split.mjs";

const MIN_SECONDS = 1.5;

function measure(label, texts, fn) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  for (const t of texts) fn(t); // warm-up
  let rounds = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  do {
    for (const t of texts) fn(t);
    rounds++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  const cpu = process.cpuUsage(cpu0);
  const mbps = (bytes * rounds) / 1e6 / elapsed;
  const cpuMbps = (bytes * rounds) / (cpu.user + cpu.system);
  console.log(
    `${label.padEnd(30)} ${mbps.toFixed(1).padStart(7)} MB/s  (${cpuMbps.toFixed(1)} MB/s of CPU time; ${texts.length} records, ${(bytes / 1e3).toFixed(0)} kB x ${rounds} rounds)`,
  );
  return mbps;
}

/** CPU MB/s of two rule layers, alternating whole passes over the corpus so both see the same load. */
function interleaved(texts, current, baseline, passes = 40) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  const cpu = { current: 0, baseline: 0 };
  const run = { current: (t) => current.runRules(t), baseline: (t) => baseline.runRules(t) };
  for (let k = 0; k < passes + 4; k++) {
    for (const name of k % 2 ? ["baseline", "current"] : ["current", "baseline"]) {
      const c0 = process.cpuUsage();
      for (const t of texts) run[name](t);
      const c = process.cpuUsage(c0);
      if (k >= 4) cpu[name] += c.user + c.system;
    }
  }
  const mbps = (name) => (bytes * passes) / cpu[name];
  console.log(
    `rule layer, interleaved: this ${mbps("current").toFixed(1)} MB/s, baseline ${mbps("baseline").toFixed(1)} MB/s of CPU time: ${(cpu.baseline / cpu.current).toFixed(2)}x`,
  );
}

const detector = await importDetector();
const texts = readCorpus().map((r) => r.text);
const full = detector.createDetector();
const rulesOnly = measure("rule layer (runRules)", texts, (t) => detector.runRules(t));
const both = measure("full detector (rules + model)", texts, (t) => full.score(t));
console.log(`  the rule layer is ${((100 * both) / rulesOnly).toFixed(0)}% of the full detector's time`);
const at = process.argv.indexOf("--baseline");
if (at !== -1 && process.argv[at + 1]) interleaved(texts, detector, await importDetector(process.argv[at + 1]));
if (rulesOnly < 20) {
  console.error(`rule layer below the 20 MB/s goal`);
  process.exitCode = 1;
}
if (both < 2) {
  console.error(`rules + model below the 2 MB/s goal`);
  process.exitCode = 1;
}
