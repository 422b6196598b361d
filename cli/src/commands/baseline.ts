// `charter baseline build AUDIT.jsonl -o baseline.json`: learns what is normal (per-tool call rate,
// per-session data volume, tool-call n-grams) from a supervised period's audit log. The log's chain is
// verified first: a tampered log is refused (exit 1), since learning from it would bless the tampering.
import { buildBaseline, describeAuditVerification, verifyAuditLog } from "@charter/runtime";
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { displayPath, fileError, readText, UsageError } from "../io.js";

export function registerBaseline(program: Command): void {
  const baseline = program.command("baseline").description("behavioural baselines for monitoring");
  baseline
    .command("build")
    .description("learn a baseline from an audit log (its hash chain must verify)")
    .argument("<log>", "the audit log (JSONL) of a supervised period")
    .option("-o, --out <file>", "where to write the baseline (default: standard output)")
    .option("--ngram <n>", "length of the tool-call sequences learned", "3")
    .action((log: string, opts: { out?: string; ngram: string }) => {
      const n = Number(opts.ngram);
      if (!Number.isInteger(n) || n < 2 || n > 8) throw new UsageError(`--ngram must be an integer from 2 to 8, not '${opts.ngram}'`);
      const text = readText(log);
      const verified = verifyAuditLog(text);
      if (!verified.ok) {
        process.stderr.write(describeAuditVerification(verified, displayPath(log)) + "\nnot learning from a log whose chain is broken\n");
        process.exitCode = 1;
        return;
      }
      const built = buildBaseline(text, { ngram: n });
      if (!built.ok) {
        process.stderr.write(`${displayPath(log)}: ${built.error.message}\n`);
        process.exitCode = 1;
        return;
      }
      const json = JSON.stringify(built.baseline, null, 2) + "\n";
      if (!opts.out) process.stdout.write(json);
      else {
        try {
          writeFileSync(opts.out, json);
        } catch (e) {
          throw fileError("write", opts.out, e);
        }
        const agents = Object.keys(built.baseline.agents).length;
        process.stderr.write(`wrote ${opts.out}: ${agents} agent${agents === 1 ? "" : "s"} from ${built.baseline.records} records\n`);
      }
      process.exitCode = 0;
    });
  baseline.exitOverride();
  for (const cmd of baseline.commands) cmd.exitOverride();
}
