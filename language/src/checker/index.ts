// The checker: parse, then run every check over the typed AST. One entry point for the CLI, the
// language server and the Action, so that they all report the same diagnostics.

import type { CharterFile } from "../ast.js";
import type { Bundle } from "../bundle.js";
import { lowerPolicy } from "../compile.js";
import { compareDiagnostics, LineIndex, locate, type Diagnostic, type RawDiagnostic } from "../diagnostics.js";
import { parse } from "../parser.js";
import type { SyntaxTree } from "../syntax.js";
import { checkAudit } from "./audit.js";
import type { CheckContext, CheckOptions } from "./context.js";
import { SemanticModel } from "./model.js";
import { checkFlow } from "./flow.js";
import { checkMonitoring } from "./monitoring.js";
import { checkNames } from "./names.js";
import { checkPrivilege } from "./privilege.js";
import { checkRanges } from "./ranges.js";
import { checkReview } from "./review.js";
import { checkSandbox } from "./sandbox.js";
import { checkSources } from "./sources.js";
import { checkTiers } from "./tiers.js";
import { checkUnicode } from "./unicode.js";

export type { AllowedReviewer, CheckOptions } from "./context.js";

export interface CheckResult {
  file: CharterFile;
  syntax: SyntaxTree;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  lines: LineIndex;
  /** the lowered bundle, computed on first access (best effort when there are errors: never ship it then) */
  readonly bundle: Bundle;
}

const CHECKS = [checkRanges, checkNames, checkPrivilege, checkTiers, checkFlow, checkMonitoring, checkSources, checkSandbox, checkAudit, checkReview];

/**
 * Checks one policy file. `previous`, the result for an earlier version of the same document (an
 * editor's last check), lets unchanged top-level statements skip parsing; the result is the same.
 */
export function checkText(text: string, options: CheckOptions = {}, previous?: CheckResult): CheckResult {
  const parsed = parse(text, previous?.syntax);
  const raw: RawDiagnostic[] = [...parsed.diagnostics];
  let bundle: Bundle | undefined;
  const ctx: CheckContext = {
    file: parsed.file,
    model: new SemanticModel(parsed.file),
    text,
    options,
    bundle: () => (bundle ??= lowerPolicy(parsed.file)),
    report: (d) => raw.push(d),
  };
  checkUnicode(ctx, parsed.syntax.tokens);
  for (const check of CHECKS) check(ctx);
  const lines = new LineIndex(text);
  const diagnostics = locate(raw, lines).sort(compareDiagnostics);
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  }
  // lowered on first use: an editor re-checking on every keystroke rarely needs the bundle
  return {
    file: parsed.file,
    syntax: parsed.syntax,
    diagnostics,
    errors,
    warnings,
    lines,
    get bundle() {
      return ctx.bundle();
    },
  };
}
