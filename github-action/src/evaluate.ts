// What the Action decides about one policy file: its diagnostics (from the checker, never our own),
// its semantic diff against the base commit, and its review state. A policy needs review when the
// workflow requires it, or when it escalates and fail-on-escalation-without-review is set; then
// CH8001–CH8004 are errors unless an allowed reviewer approved the pull request's head commit.

import {
  checkText,
  countChanges,
  diffPolicies,
  lowerPolicy,
  parse,
  REVIEW_CODES,
  type AllowedReviewer,
  type Bundle,
  type Change,
  type CheckResult,
  type Diagnostic,
} from "@charter/language";

export type ReviewState =
  | { kind: "signed"; by: string; on: string; verified: boolean }
  | { kind: "approved"; logins: string[] }
  | { kind: "unreviewed"; codes: string[] }
  | { kind: "deleted" };

export interface PolicyReport {
  /** repository-relative path with / */
  path: string;
  status: "checked" | "deleted";
  /** the checker's diagnostics, with review codes at the severity this run gives them */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  digest: string | undefined;
  bundle: Bundle | undefined;
  review: ReviewState;
  /** undefined when there is no base to compare with; [] when the meaning did not change */
  changes: Change[] | undefined;
  /** the policy is new in this change (no file at the base) */
  added: boolean;
}

export interface EvaluateOptions {
  requireReview: boolean;
  failOnEscalationWithoutReview: boolean;
  /**
   * The allowed reviewers as listed at the base commit (see reviewers.ts). Undefined only when no
   * review can be needed: without a list an unsigned review block would pass, so nobody could be
   * told apart from the author.
   */
  reviewers: AllowedReviewer[] | undefined;
  today: string;
  /** GitHub logins allowed to review (the reviewers file's names) who approved the head commit */
  approvals: () => Promise<string[]>;
}

/** A bundle with the same header as `like` and nothing in it: the base of a new policy. */
function emptyLike(like: Bundle): Bundle {
  return { ...like, sources: {}, agents: {} };
}

export function baseBundle(text: string): Bundle {
  return lowerPolicy(parse(text).file);
}

export async function evaluatePolicy(path: string, text: string, baseText: string | undefined, hasBase: boolean, opts: EvaluateOptions): Promise<PolicyReport> {
  const strict = checkText(text, { requireReview: true, today: opts.today, ...(opts.reviewers ? { reviewers: opts.reviewers } : {}) });
  const reviewProblems = strict.diagnostics.filter((d) => REVIEW_CODES.includes(d.code));
  let changes: Change[] | undefined;
  if (hasBase) {
    if (baseText === undefined) changes = diffPolicies(emptyLike(strict.bundle), strict.bundle);
    else changes = baseText === text ? [] : diffPolicies(baseBundle(baseText), strict.bundle);
  }
  const escalates = !!changes && countChanges(changes).escalation > 0;
  const needsReview = opts.requireReview || (opts.failOnEscalationWithoutReview && escalates);
  if (needsReview && !opts.reviewers) throw new Error(`${path} needs a review but there is no reviewers list: loadReviewers must refuse this setup`);

  let review: ReviewState;
  if (!reviewProblems.length) {
    const r = strict.bundle.policy.review!;
    review = { kind: "signed", by: r.by, on: r.on, verified: !!opts.reviewers };
  } else {
    const logins = needsReview ? await opts.approvals() : [];
    review = logins.length ? { kind: "approved", logins } : { kind: "unreviewed", codes: [...new Set(reviewProblems.map((d) => d.code))] };
  }
  const result: CheckResult =
    needsReview && review.kind !== "approved" ? strict : checkText(text, { requireReview: false, today: opts.today, ...(opts.reviewers ? { reviewers: opts.reviewers } : {}) });
  return {
    path,
    status: "checked",
    diagnostics: result.diagnostics,
    errors: result.errors,
    warnings: result.warnings,
    digest: result.bundle.digest,
    bundle: result.bundle,
    review,
    changes,
    added: hasBase && baseText === undefined,
  };
}

/** A policy that the change deletes: every agent it granted is gone. */
export function evaluateDeleted(path: string, baseText: string): PolicyReport {
  const base = baseBundle(baseText);
  return {
    path,
    status: "deleted",
    diagnostics: [],
    errors: 0,
    warnings: 0,
    digest: undefined,
    bundle: undefined,
    review: { kind: "deleted" },
    changes: diffPolicies(base, emptyLike(base)),
    added: false,
  };
}
