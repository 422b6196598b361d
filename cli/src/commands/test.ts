// `charter test PATH…` (spec §6): runs every `test` block through the real runtime guard. Prints each
// failing expectation with file:line:col and the actual decision, ends with `N passed, N failed`, and
// exits 1 on any failure or on a file that does not compile.
import { runTestText } from "@charter/runtime";
import type { Command } from "commander";
import { displayPath, expandPaths, readText, UsageError } from "../io.js";
import { colorsFor, renderDiagnostic, summaryLine } from "../render.js";
import { today } from "./check.js";

export function registerTest(program: Command): void {
  program
    .command("test")
    .description("run the policies' test blocks through the runtime (exit 1 when an expectation fails)")
    .argument("<paths...>", "policy files or folders (every *.charter below a folder)")
    .action(async (paths: string[]) => {
      const files = expandPaths(paths);
      if (files.length === 0) throw new UsageError(`no *.charter files in ${paths.join(", ")}`);
      const out = colorsFor(process.stdout);
      const err = colorsFor(process.stderr);
      let passed = 0;
      let failed = 0;
      let broken = 0;
      for (const path of files) {
        const shown = displayPath(path);
        const run = await runTestText(readText(path), path, today() ? { today: today()! } : {});
        if (!run.ok) {
          broken++;
          for (const d of run.errors) process.stderr.write(renderDiagnostic(d, shown, run.check.lines, err) + "\n");
          process.stderr.write(`${summaryLine(run.errors.length, 0, 1, err)}: ${shown} not tested\n`);
          continue;
        }
        passed += run.passed;
        failed += run.failed;
        for (const r of run.results) {
          if (r.passed) continue;
          process.stdout.write(
            `${out.red("FAIL")} ${shown}:${r.line}:${r.column} test "${r.test}": expect ${r.agent} call ${r.tool} => ${r.expected}, got ${r.actual}\n` +
              `     ${r.rule}: ${r.reason}\n`,
          );
        }
      }
      if (broken) process.stdout.write(`${broken} file${broken === 1 ? "" : "s"} not tested (errors above)\n`);
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      process.exitCode = failed > 0 || broken > 0 ? 1 : 0;
    });
}
