// The `charter` command line: a thin shell over the language core and the runtime. Every command
// lives in commands/; this file only wires them and maps failures to exit codes (spec §6): 0 ok,
// 1 the policy (or log, or test) has problems, 2 usage or I/O error — never a stack trace.

import { Command, CommanderError } from "commander";
import { registerBuild } from "./commands/build.js";
import { registerCheck } from "./commands/check.js";
import { registerFmt } from "./commands/fmt.js";
import { registerGateway } from "./commands/gateway.js";
import { registerInit } from "./commands/init.js";
import { registerPins } from "./commands/pins.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerLsp } from "./commands/lsp.js";
import { registerDiff } from "./commands/diff.js";
import { registerReplay } from "./commands/replay.js";
import { registerReview } from "./commands/review.js";
import { registerAudit } from "./commands/audit.js";
import { registerIncident } from "./commands/incident.js";
import { registerBaseline } from "./commands/baseline.js";
import { registerScan } from "./commands/scan.js";
import { registerTest } from "./commands/test.js";
import { registerServe } from "./commands/serve.js";
import { registerToken } from "./commands/token.js";
import { UsageError } from "./io.js";

export function createProgram(): Command {
  const program = new Command("charter")
    .description("Charter: policy-as-code for the security of AI agents")
    .version("0.1.0")
    .showHelpAfterError("(run charter --help for usage)")
    .exitOverride();
  registerCheck(program);
  registerFmt(program);
  registerBuild(program);
  registerKeygen(program);
  registerLsp(program);
  registerDiff(program);
  registerReview(program);
  registerTest(program);
  registerAudit(program);
  registerIncident(program);
  registerScan(program);
  registerBaseline(program);
  registerGateway(program);
  registerPins(program);
  registerServe(program);
  registerToken(program);
  registerReplay(program);
  registerInit(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`charter: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`charter: internal error: ${(e as Error).message}\nplease report this with the command you ran\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
