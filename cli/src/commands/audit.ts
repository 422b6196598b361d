// `charter audit verify LOG.jsonl` (spec §6): checks the audit log's hash chain. Exit 0 with a one-line
// summary when it is intact; exit 1 naming the first broken record (line and reason) after any edit,
// deletion, insertion or reordering; exit 2 when the file cannot be read.
import { describeAuditVerification, verifyAuditLog } from "@charter/runtime";
import type { Command } from "commander";
import { displayPath, readText } from "../io.js";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("audit log tools");
  audit
    .command("verify")
    .description("verify an audit log's hash chain (exit 1 and the first broken record when tampered)")
    .argument("<log>", "the audit log (JSONL)")
    .action((log: string) => {
      const result = verifyAuditLog(readText(log));
      const line = describeAuditVerification(result, displayPath(log));
      if (result.ok) process.stdout.write(line + "\n");
      else process.stderr.write(line + "\n");
      process.exitCode = result.ok ? 0 : 1;
    });
  audit.exitOverride();
  for (const cmd of audit.commands) cmd.exitOverride();
}
