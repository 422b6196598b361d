// What every check receives: the file, its text, the options and a place to report. Checks are
// pure functions of this context; they never look at anything else.

import type * as A from "../ast.js";
import type { Bundle } from "../bundle.js";
import type { Code, RawDiagnostic } from "../diagnostics.js";
import type { SemanticModel } from "./model.js";

export interface AllowedReviewer {
  name: string;
  /** `ed25519:<base64 of the raw 32-byte key>`, as written by `charter keygen` */
  publicKey: string;
}

export interface CheckOptions {
  /** CH8001–CH8004 become errors (`--require-review`, the GitHub Action) */
  requireReview?: boolean;
  /** allowed reviewers; when given, a review must carry a valid signature by one of them */
  reviewers?: readonly AllowedReviewer[];
  /** today, as YYYY-MM-DD, for the review cadence (defaults to the current UTC date) */
  today?: string;
}

export interface CheckContext {
  file: A.CharterFile;
  /** the declarations as checks ask about them (agents, tools, effective blocks) */
  model: SemanticModel;
  text: string;
  options: CheckOptions;
  /** the file's bundle, lowered once on first use */
  bundle(): Bundle;
  report(d: RawDiagnostic): void;
}

export type Check = (ctx: CheckContext) => void;

/** Shorthand for the common case: code, span, message, help. */
export function diag(code: Code, span: A.Span, message: string, help?: string): RawDiagnostic {
  const d: RawDiagnostic = { code, span, message };
  if (help) d.help = help;
  return d;
}
