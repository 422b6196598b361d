// `charter fmt PATH… [--check]`: rewrite files in the canonical layout, or with --check list the
// files that are not formatted and exit 1 (for CI).

import { decodePolicyBytes, formatText, LineIndex, type FormatResult } from "@charter/language";
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { displayPath, expandPaths, fileError, readBytes } from "../io.js";

export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("format policies in the canonical layout (idempotent; comments are kept)")
    .argument("<paths...>", "policy files or folders")
    .option("--check", "change nothing; list unformatted files and exit 1 if there are any")
    .action((paths: string[], opts: { check?: boolean }) => {
      const files = expandPaths(paths);
      let unformatted = 0;
      let failed = 0;
      for (const path of files) {
        const decoded = decodePolicyBytes(readBytes(path));
        const text = decoded.text;
        const bad = decoded.diagnostic && new LineIndex(text).position(decoded.diagnostic.span.start);
        const r: FormatResult = bad ? { ok: false, reason: `invalid UTF-8 at ${bad.line + 1}:${bad.character + 1}` } : formatText(text);
        if (!r.ok) {
          failed++;
          process.stderr.write(`${displayPath(path)}: not formatted: ${r.reason} (run charter check for details)\n`);
          continue;
        }
        if (r.text === text) continue;
        unformatted++;
        if (opts.check) process.stdout.write(`${displayPath(path)}\n`);
        else {
          try {
            writeFileSync(path, r.text);
          } catch (e) {
            throw fileError("write", path, e);
          }
          process.stderr.write(`formatted ${displayPath(path)}\n`);
        }
      }
      if (opts.check && unformatted)
        process.stderr.write(`${unformatted} file${unformatted === 1 ? "" : "s"} not formatted: run charter fmt\n`);
      process.exitCode = failed || (opts.check && unformatted) ? 1 : 0;
    });
}
