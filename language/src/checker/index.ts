// The checker: parse, then run every check over the typed AST. One entry point for the CLI, the
// language server and the Action, so that they all report the same diagnostics.

import type { CharterFile } from "../ast.js";
import type { Bundle } from "../bundle.js";
import { lowerPolicy } from "../compile.js";
import { compareDiagnostics, LineIndex, locate, type Diagnostic, type RawDiagnostic } from "../diagnostics.js";
import { decodePolicyBytes } from "../encoding.js";
import { parse, type ParseResult } from "../parser.js";
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

const CHECKS = [
  checkRanges,
  checkNames,
  checkPrivilege,
  checkTiers,
  checkFlow,
  checkMonitoring,
  checkSources,
  checkSandbox,
  checkAudit,
  checkReview,
];

/**
 * Checks one policy file. `previous`, the result for an earlier version of the same document (an
 * editor's last check), lets unchanged top-level statements skip parsing; the result is the same.
 */
/** The largest policy the checker reads (UTF-16 code units): beyond it, one diagnostic and no parse. */
export const MAX_POLICY_LENGTH = 64 * 1024 * 1024;

/**
 * Checks a policy file from its bytes: invalid UTF-8 is an error at the first bad byte (and the
 * rest is checked as decoded with replacement characters, so every other problem is reported too).
 */
export function checkBytes(bytes: Uint8Array, options: CheckOptions = {}): CheckResult & { text: string } {
  const decoded = decodePolicyBytes(bytes);
  return { ...checkText(decoded.text, options, undefined, decoded.diagnostic), text: decoded.text };
}

export function checkText(text: string, options: CheckOptions = {}, previous?: CheckResult, encoding?: RawDiagnostic): CheckResult {
  if (text.length > MAX_POLICY_LENGTH) return tooLarge(text);
  return checkParsed(text, parse(text, previous?.syntax), options, undefined, encoding);
}

/**
 * Checks a policy already parsed (`parse(text)`): an editor parses on every keystroke for
 * completion and runs the checks only when diagnostics or a request need them. `lines`, when
 * given, is the text's line index (it is built otherwise).
 */
export function checkParsed(
  text: string,
  parsed: ParseResult,
  options: CheckOptions = {},
  lines?: LineIndex,
  encoding?: RawDiagnostic,
): CheckResult {
  if (text.length > MAX_POLICY_LENGTH) return tooLarge(text);
  const raw: RawDiagnostic[] = [...parsed.diagnostics];
  if (encoding) raw.push(encoding);
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
  lines ??= new LineIndex(text);
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

/** A text past MAX_POLICY_LENGTH: not parsed (a policy that large cannot be reviewed anyway). */
function tooLarge(text: string): CheckResult {
  const file: CharterFile = { decls: [], comments: [], span: { start: 0, end: text.length } };
  const lines = new LineIndex(text);
  const mib = (text.length / (1024 * 1024)).toFixed(1);
  const diagnostics = locate(
    [
      {
        code: "CH0001",
        span: { start: 0, end: Math.min(1, text.length) },
        message: `the file is ${mib} MiB of text, more than the ${MAX_POLICY_LENGTH / (1024 * 1024)} MiB a policy may be`,
        help: "split the policy: one file per team or agent group (a workspace is a folder of policies)",
      },
    ],
    lines,
  );
  let bundle: Bundle | undefined;
  return {
    file,
    syntax: { items: [], comments: [], errors: [], tokens: [], segments: [] },
    diagnostics,
    errors: 1,
    warnings: 0,
    lines,
    get bundle() {
      return (bundle ??= lowerPolicy(file));
    },
  };
}
