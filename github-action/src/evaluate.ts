// What the Action decides about one policy file: its diagnostics (from the checker, never our own),
// its semantic diff against the base commit, and its review state. A policy needs review when the
// workflow requires it, or when it escalates and fail-on-escalation-without-review is set; then
// CH8001–CH8004 are errors unless an allowed reviewer approved the pull request's head commit.
//
// Beyond the checker, the gate holds what only a comparison with the base can see (`GateFinding`):
// a policy's `version` never goes down, and a signature accepted for an escalation must sign a
// version above the base's, so an old review cannot be replayed to undo a later narrowing (the
// rollback rule of TUF). Links, renames and moves out of `paths` are reported as what they are.

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
  | { kind: "deleted" }
  | { kind: "refused" };

/** A finding of the gate itself, about the change rather than the file: a line and plain words. */
export interface GateFinding {
  title: string;
  severity: "error" | "warning";
  /** 1-based; 1 when the finding is about the file as a whole */
  line: number;
  message: string;
  help: string;
}

export interface PolicyReport {
  /** repository-relative path with / */
  path: string;
  /**
   * checked: a plain policy file in `paths`; deleted: gone from the working tree; refused: a
   * symbolic link, or a policy no longer a plain file; moved-out: now outside `paths` (path is
   * where it went, renamedFrom where it was)
   */
  status: "checked" | "deleted" | "refused" | "moved-out";
  /** the checker's diagnostics, with review codes at the severity this run gives them */
  diagnostics: Diagnostic[];
  gate: GateFinding[];
  errors: number;
  warnings: number;
  digest: string | undefined;
  bundle: Bundle | undefined;
  review: ReviewState;
  /** undefined when there is no base to compare with; [] when the meaning did not change */
  changes: Change[] | undefined;
  /** the policy is new in this change (no file at the base) */
  added: boolean;
  /** the base path this policy was renamed or moved from */
  renamedFrom?: string;
}

export interface EvaluateOptions {
  requireReview: boolean;
  failOnEscalationWithoutReview: boolean;
  /**
   * The allowed reviewers as listed at the base commit (see reviewers.ts); [] when review is needed
   * and there is no list (nobody can be told apart from the author, so nobody counts). Undefined only
   * when no review can be needed.
   */
  reviewers: AllowedReviewer[] | undefined;
  today: string;
  /** GitHub logins allowed to review (the reviewers file's names) who approved the head commit */
  approvals: () => Promise<string[]>;
}

export interface PolicyInput {
  path: string;
  text: string;
  /** what the policy is compared with: the same path at the base, or where it was renamed from */
  base: { path: string; text: string } | undefined;
  hasBase: boolean;
  /** changes the gate sees that are not in the policy's meaning (a move out of `paths`) */
  extra?: Change[];
}

/** A bundle with the same header as `like` and nothing in it: the base of a new policy. */
function emptyLike(like: Bundle): Bundle {
  return { ...like, sources: {}, agents: {} };
}

export function baseBundle(text: string): Bundle {
  return lowerPolicy(parse(text).file);
}

const lineOf = (text: string, re: RegExp) => {
  const i = text.split(/\r?\n/).findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : 1;
};

export async function evaluatePolicy(input: PolicyInput, opts: EvaluateOptions): Promise<PolicyReport> {
  const { path, text, base, hasBase } = input;
  const withReviewers = opts.reviewers ? { reviewers: opts.reviewers } : {};
  const strict = checkText(text, { requireReview: true, today: opts.today, ...withReviewers });
  const reviewProblems = strict.diagnostics.filter((d) => REVIEW_CODES.includes(d.code));
  const before = base ? baseBundle(base.text) : undefined;
  let changes: Change[] | undefined;
  if (hasBase) {
    if (!before) changes = diffPolicies(emptyLike(strict.bundle), strict.bundle);
    else changes = base!.text === text ? [] : diffPolicies(before, strict.bundle);
    changes = [...(input.extra ?? []), ...changes];
  }
  const escalates = !!changes && countChanges(changes).escalation > 0;
  const gated = opts.requireReview || opts.failOnEscalationWithoutReview;
  const needsReview = opts.requireReview || (opts.failOnEscalationWithoutReview && escalates);
  if (needsReview && !opts.reviewers) throw new Error(`${path} needs a review but there is no reviewers list: main must pass an empty one`);

  const gate: GateFinding[] = [];
  const version = strict.bundle.policy.version ?? 0;
  const baseVersion = before?.policy.version ?? 0;
  if (before && version < baseVersion) {
    gate.push({
      title: "version lowered",
      severity: gated ? "error" : "warning",
      line: lineOf(text, /\bversion\s+\d/),
      message: `policy '${strict.bundle.policy.name}' goes from version ${baseVersion} at the base to version ${version}: versions only increase, so that a review signed for an older version cannot be brought back`,
      help: `keep version ${baseVersion} or raise it`,
    });
  }

  let review: ReviewState;
  let replayed: GateFinding | undefined;
  if (!reviewProblems.length) {
    const r = strict.bundle.policy.review!;
    review = { kind: "signed", by: r.by, on: r.on, verified: !!opts.reviewers };
    // a signature vouches for an escalation only when it signs a version the base has not reached
    if (needsReview && escalates && before && version <= baseVersion) {
      replayed = {
        title: "review predates the base",
        severity: "error",
        line: lineOf(text, /\bsignature\b/),
        message: `the review by ${r.by} of ${r.on} signs version ${version} of policy '${strict.bundle.policy.name}', and the base is already at version ${baseVersion}: it cannot vouch for this escalation, as it may be an old review brought back to undo a later one`,
        help: `a review counts for an escalation when it signs a higher version than the base's: raise version to ${baseVersion + 1} and sign again (charter review sign), or have a listed reviewer approve the pull request`,
      };
    }
  }
  if (reviewProblems.length || replayed) {
    const logins = needsReview ? await opts.approvals() : [];
    if (logins.length) review = { kind: "approved", logins };
    else {
      review = { kind: "unreviewed", codes: replayed ? ["replayed review"] : [...new Set(reviewProblems.map((d) => d.code))] };
      if (replayed) gate.push(replayed);
    }
  }
  const result: CheckResult =
    needsReview && review!.kind !== "approved" ? strict : checkText(text, { requireReview: false, today: opts.today, ...withReviewers });
  return {
    path,
    status: input.extra?.length ? "moved-out" : "checked",
    diagnostics: result.diagnostics,
    gate,
    errors: result.errors + gate.filter((g) => g.severity === "error").length,
    warnings: result.warnings + gate.filter((g) => g.severity === "warning").length,
    digest: result.bundle.digest,
    bundle: result.bundle,
    review: review!,
    changes,
    added: hasBase && !base,
    ...(base && base.path !== path ? { renamedFrom: base.path } : {}),
  };
}

/** A policy that the change deletes: every agent it granted is gone. */
export function evaluateDeleted(path: string, baseText: string): PolicyReport {
  const base = baseBundle(baseText);
  return {
    path,
    status: "deleted",
    diagnostics: [],
    gate: [],
    errors: 0,
    warnings: 0,
    digest: undefined,
    bundle: undefined,
    review: { kind: "deleted" },
    changes: diffPolicies(base, emptyLike(base)),
    added: false,
  };
}

/**
 * A selected path that is not a plain file: refused, whatever it points to. When the text behind it
 * can be read, its changes are still listed, so that the reviewer sees what the link would bring in.
 */
export function evaluateRefused(
  path: string,
  finding: GateFinding,
  baseText: string | undefined,
  hasBase: boolean,
  reachedText: string | undefined,
): PolicyReport {
  let changes: Change[] | undefined;
  if (hasBase && reachedText !== undefined) {
    const head = baseBundle(reachedText);
    changes = diffPolicies(baseText === undefined ? emptyLike(head) : baseBundle(baseText), head);
  } else if (hasBase && baseText !== undefined) {
    const base = baseBundle(baseText);
    changes = diffPolicies(base, emptyLike(base));
  }
  return {
    path,
    status: "refused",
    diagnostics: [],
    gate: [finding],
    errors: 1,
    warnings: 0,
    digest: undefined,
    bundle: undefined,
    review: { kind: "refused" },
    changes,
    added: hasBase && baseText === undefined,
  };
}
