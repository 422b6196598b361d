// `charter scan --jsonl FILE`: scores each record's `text` with the injection detector and prints one
// JSON line per record, {"id":…,"score":…,"signals":[…]}; a malformed line prints {"line":…,"error":…}
// and makes the exit code 1, after every other record has been scored.
import { createDetector, scanRecords } from "@charter/runtime";
import type { Command } from "commander";
import { readText, UsageError } from "../io.js";

export function registerScan(program: Command): void {
  program
    .command("scan")
    .description("score texts for prompt injection: one JSON line per record (score above 0.5 means injection)")
    .option("--jsonl <file>", "a JSONL file of records with a string `text` field (and optionally `id`); - for standard input")
    .action((opts: { jsonl?: string }) => {
      if (!opts.jsonl) throw new UsageError("charter scan needs --jsonl FILE");
      const text = opts.jsonl === "-" ? readStdin() : readText(opts.jsonl);
      const detector = createDetector();
      let bad = 0;
      let out = "";
      for (const r of scanRecords(text, detector)) {
        if (r.ok) out += JSON.stringify({ id: r.id, score: r.score, signals: r.signals }) + "\n";
        else {
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

function readStdin(): string {
  return readText("/dev/stdin");
}
