// `charter diff BASE HEAD [--format text|json]` (spec §6): the semantic diff of two policy files,
// every change classified. Exit 0 whatever the changes; 1 when either side has errors (reported,
// and no diff printed: a diff of a broken policy would mislead); 2 on usage or I/O errors.

import { checkBytes, countChanges, diffPolicies, type Change, type CheckResult } from "@charter/language";
import type { Command } from "commander";
import { displayPath, readBytes, UsageError } from "../io.js";
import { colorsFor, renderDiagnostic, summaryLine, type Colors } from "../render.js";

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("compare two policies by meaning: every change is an escalation, a reduction or neutral")
    .argument("<base>", "the policy before the change")
    .argument("<head>", "the policy after the change")
    .option("--format <format>", "text or json", "text")
    .action((base: string, head: string, opts: { format: string }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new UsageError(`--format must be text or json, not '${opts.format}'`);
      const sides = [base, head].map((path) => ({ path, result: checkBytes(readBytes(path)) }));
      if (reportErrors(sides)) {
        process.exitCode = 1;
        return;
      }
      const changes = diffPolicies(sides[0]!.result.bundle, sides[1]!.result.bundle);
      if (opts.format === "json") process.stdout.write(changesJson(changes) + "\n");
      else process.stdout.write(renderChanges(changes, colorsFor(process.stdout)));
      process.exitCode = 0;
    });
}

function reportErrors(sides: { path: string; result: CheckResult }[]): boolean {
  const c = colorsFor(process.stderr);
  let errors = 0;
  for (const { path, result } of sides) {
    for (const d of result.diagnostics)
      if (d.severity === "error") process.stderr.write(renderDiagnostic(d, displayPath(path), result.lines, c) + "\n");
    errors += result.errors;
  }
  if (errors) process.stderr.write(`${summaryLine(errors, 0, sides.length, c)}: not compared\n`);
  return errors > 0;
}

/**
 * Spec §6: `{"changes":[{"kind","agent","tool","what"}]}` with all four keys, in that order, and null
 * for a change that is not about one agent or tool. Built key by key so the shape never follows
 * whatever else a Change may one day carry.
 */
export function changesJson(changes: readonly Change[]): string {
  return JSON.stringify({ changes: changes.map((c) => ({ kind: c.kind, agent: c.agent, tool: c.tool, what: c.what })) });
}

/** One line a change, escalations first (diffPolicies orders them), then a count. */
export function renderChanges(changes: readonly Change[], c: Colors): string {
  if (!changes.length) return "no change in meaning\n";
  const paint = { escalation: (s: string) => c.bold(c.red(s)), reduction: c.green, neutral: c.dim };
  const lines = changes.map((ch) => {
    const where = [ch.agent, ch.tool].filter((x) => x !== null).join(" › ");
    return `${paint[ch.kind](ch.kind.padEnd(10))}  ${where ? c.bold(where) + ": " : ""}${ch.what}`;
  });
  const n = countChanges(changes);
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  lines.push("", `${plural(n.escalation, "escalation")}, ${plural(n.reduction, "reduction")}, ${n.neutral} neutral`);
  return lines.join("\n") + "\n";
}
