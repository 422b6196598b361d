// Throughput of the prompt-injection detector over the development corpus: the rule layer alone and
// the full detector (rules + shipped classifier), in MB/s of UTF-8 input, and the rule layer's slowest
// adversarial input (long runs of one character or of a markup shape). Goals: rules >= 20 MB/s,
// rules + model >= 2 MB/s, no adversarial 60 kB input above 300 ms. The machine may be shared: the CPU
// time of this process is printed beside the wall-clock figure, and the share of the full detector's
// time its rule layer takes.
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

/**
 * Inputs built to make a regular expression backtrack: a long run of one character after the words
 * the rules look for. A pattern that retries every position of a run (`={2,}` inside "===…") turns
 * one tool result into seconds of CPU; the slowest of them is printed, in ms for 60 kB.
 */
const ADVERSARIAL_LEAD = "new instructions end old ignore previous system assistant your answer the following code you ai agent \n";
// Each character of the first string on its own, then longer units.
const ADVERSARIAL_RUNS = [..."#=-*%[<|_~`>!.:'\" \n\t0a\\/({", "a ", "&#1075;", "ignore "];
/** Shapes repeated on their own: an image, an `<img>`, a link and a role heading that never closes. */
const ADVERSARIAL_REPEATS = ["![a](//", "<img/src=//", "http://", "## system\n\n"];
const adversarial = [
  ...ADVERSARIAL_RUNS.map((run) => ({ run, text: ADVERSARIAL_LEAD + run.repeat(Math.floor(60_000 / run.length)) })),
  ...ADVERSARIAL_REPEATS.map((run) => ({ run, text: run.repeat(Math.floor(60_000 / run.length)) })),
];

function slowestAdversarial(label, rules) {
  let worst = { ms: 0, run: "" };
  for (const { run, text } of adversarial) {
    const t0 = performance.now();
    rules.runRules(text);
    const ms = performance.now() - t0;
    if (ms > worst.ms) worst = { ms, run };
  }
  console.log(
    `${label.padEnd(30)} slowest of ${adversarial.length} adversarial 60 kB inputs: ${worst.ms.toFixed(0)} ms (a run of ${JSON.stringify(worst.run)})`,
  );
  return worst.ms;
}

const detector = await importDetector();
const texts = readCorpus().map((r) => r.text);
const full = detector.createDetector();
const rulesOnly = measure("rule layer (runRules)", texts, (t) => detector.runRules(t));
const both = measure("full detector (rules + model)", texts, (t) => full.score(t));
console.log(`  the rule layer is ${((100 * both) / rulesOnly).toFixed(0)}% of the full detector's time`);
const at = process.argv.indexOf("--baseline");
const baseline = at !== -1 && process.argv[at + 1] ? await importDetector(process.argv[at + 1]) : undefined;
if (baseline) interleaved(texts, detector, baseline);
const worstMs = slowestAdversarial("rule layer, adversarial", detector);
if (baseline) slowestAdversarial("baseline, adversarial", baseline);
if (rulesOnly < 20) {
  console.error(`rule layer below the 20 MB/s goal`);
  process.exitCode = 1;
}
// 60 kB at the 20 MB/s goal is 3 ms; a hundred times that means a pattern backtracks.
if (worstMs > 300) {
  console.error(`an adversarial input took ${worstMs.toFixed(0)} ms in the rule layer`);
  process.exitCode = 1;
}
if (both < 2) {
  console.error(`rules + model below the 2 MB/s goal`);
  process.exitCode = 1;
}
