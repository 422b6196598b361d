// `charter scan --jsonl FILE`: scores each record's `text` with the injection detector and prints one
// JSON line per record, {"id":…,"score":…,"signals":[…]}; a malformed line prints {"line":…,"error":…}
// and makes the exit code 1, after every other record has been scored. `--format text` prints, for each
// record, its score and verdict and the passages that scored highest, so a user can see why.
import { createDetector, scanRecords, topPassages, type Detector, type ScanLine } from "@charter/runtime";
import type { Command } from "commander";
import { readText, UsageError } from "../io.js";

export function registerScan(program: Command): void {
  program
    .command("scan")
    .description("score texts for prompt injection: one JSON line per record (score above 0.5 means injection)")
    .option("--jsonl <file>", "a JSONL file of records with a string `text` field (and optionally `id`); - for standard input")
    .option("--format <format>", "jsonl (one JSON line per record) or text (score, verdict and the highest-scoring passages)", "jsonl")
    .action((opts: { jsonl?: string; format: string }) => {
      if (!opts.jsonl) throw new UsageError("charter scan needs --jsonl FILE");
      if (opts.format !== "jsonl" && opts.format !== "text")
        throw new UsageError(`charter scan: unknown --format '${opts.format}' (use jsonl or text)`);
      const text = opts.jsonl === "-" ? readStdin() : readText(opts.jsonl);
      const detector = createDetector();
      const texts = opts.format === "text" ? recordTexts(text) : undefined;
      let bad = 0;
      let out = "";
      for (const r of scanRecords(text, detector)) {
        if (r.ok && texts) out += formatText(r, texts.get(r.id) ?? "", detector);
        else if (r.ok) out += JSON.stringify({ id: r.id, score: r.score, signals: r.signals }) + "\n";
        else if (texts) {
          bad++;
          out += `line ${r.line}: error: ${r.error}\n`;
        } else {
          bad++;
          out += JSON.stringify({ line: r.line, error: r.error }) + "\n";
        }
        if (out.length > 1 << 16) {
          process.stdout.write(out);
          out = "";
        }
      }
      process.stdout.write(out);
      if (bad) process.stderr.write(`${bad} line${bad === 1 ? "" : "s"} could not be scored\n`);
      process.exitCode = bad ? 1 : 0;
    });
}

/** The text of each record by id, as scanRecords assigns ids (a missing id is the 0-based line index). */
function recordTexts(jsonl: string): Map<string | number, string> {
  const texts = new Map<string | number, string>();
  jsonl.split(/\r?\n/).forEach((raw, i) => {
    try {
      const r = JSON.parse(raw) as { id?: unknown; text?: unknown };
      if (typeof r?.text === "string") texts.set(typeof r.id === "string" || typeof r.id === "number" ? r.id : i, r.text);
    } catch {
      // reported by scanRecords
    }
  });
  return texts;
}

const quote = (s: string) => JSON.stringify(s);

function formatText(r: Extract<ScanLine, { ok: true }>, text: string, detector: Detector): string {
  const verdict = r.score > 0.5 ? "INJECTION" : "ok";
  let out = `${r.id}  ${r.score.toFixed(3)}  ${verdict}${r.signals.length ? "  [" + r.signals.join(", ") + "]" : ""}\n`;
  for (const p of topPassages(text, detector, 3)) {
    out += `    line ${p.line}  ${p.score.toFixed(3)}  ${quote(p.text)}${p.signals.length ? "  [" + p.signals.join(", ") + "]" : ""}\n`;
  }
  return out;
}

function readStdin(): string {
  return readText("/dev/stdin");
}
