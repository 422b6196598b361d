// `charter check PATH… [--format text|json] [--require-review] [--reviewers FILE]` (spec §6).

import { checkBytes, parseReviewers, type AllowedReviewer, type CheckResult } from "@charter/language";
import type { Command } from "commander";
import { displayPath, expandPaths, readBytes, readText, UsageError } from "../io.js";
import { colorsFor, renderDiagnostic, summaryLine } from "../render.js";

export interface CheckedFile {
  path: string;
  text: string;
  result: CheckResult;
}

export function loadReviewers(path: string | undefined): AllowedReviewer[] | undefined {
  if (!path) return undefined;
  const { reviewers, errors } = parseReviewers(readText(path));
  if (errors.length) throw new UsageError(`${path}:${errors[0]!.line}: ${errors[0]!.message}`);
  return reviewers;
}

/** Today for review cadence; CHARTER_TODAY pins it for reproducible runs (tests, CI replays). */
export function today(): string | undefined {
  const t = process.env.CHARTER_TODAY;
  if (t && !/^\d{4}-\d{2}-\d{2}$/.test(t)) throw new UsageError(`CHARTER_TODAY must be YYYY-MM-DD, got '${t}'`);
  return t || undefined;
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("check policies and report every problem (exit 0: no errors, 1: errors, 2: usage or I/O error)")
    .argument("<paths...>", "policy files or folders (every *.charter below a folder)")
    .option("--format <format>", "text or json", "text")
    .option("--require-review", "treat missing, stale or unsigned reviews (CH8001–CH8004) as errors")
    .option("--reviewers <file>", "allowed reviewers: one `NAME ed25519:KEY` a line; reviews must be signed by one of them")
    .action((paths: string[], opts: { format: string; requireReview?: boolean; reviewers?: string }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new UsageError(`--format must be text or json, not '${opts.format}'`);
      const files = expandPaths(paths);
      if (files.length === 0) throw new UsageError(`no *.charter files in ${paths.join(", ")}`);
      const reviewers = loadReviewers(opts.reviewers);
      const options = { requireReview: !!opts.requireReview, ...(reviewers ? { reviewers } : {}), ...(today() ? { today: today()! } : {}) };
      const checked: CheckedFile[] = files.map((path) => {
        const result = checkBytes(readBytes(path), options);
        return { path, text: result.text, result };
      });
      const errors = checked.reduce((n, f) => n + f.result.errors, 0);
      const warnings = checked.reduce((n, f) => n + f.result.warnings, 0);
      if (opts.format === "json") {
        const json = {
          files: checked.map((f) => ({
            path: displayPath(f.path),
            diagnostics: f.result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, range: d.range })),
          })),
          errors,
          warnings,
        };
        process.stdout.write(JSON.stringify(json) + "\n");
      } else {
        const c = colorsFor(process.stdout);
        for (const f of checked) {
          for (const d of f.result.diagnostics) process.stdout.write(renderDiagnostic(d, displayPath(f.path), f.result.lines, c) + "\n");
        }
        process.stdout.write(summaryLine(errors, warnings, checked.length, c) + "\n");
      }
      process.exitCode = errors > 0 ? 1 : 0;
    });
}
