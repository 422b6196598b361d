// The allowed reviewers, read where the change under review cannot edit them: from the base commit
// when there is one, so that a pull request which adds its author to the list cannot then sign or
// approve its own escalation. Only without a base (a first commit, a new branch) is the working tree
// read. A change to the list itself changes who may approve, so it is an escalation of its own that
// a reviewer listed at the base must approve.

import { parseReviewers, type AllowedReviewer } from "@charter/language";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { modeAtCommit, showAtCommit } from "./git.js";
import { SetupError } from "./inputs.js";
import { headState } from "./policy-paths.js";

export type ReviewersSource =
  /** read with `git show BASE:path`: what the change under review cannot touch */
  | { kind: "base"; sha: string }
  /** read from the checkout: there is no base commit, or the file lies outside the repository */
  | { kind: "working-tree"; why: "no-base" | "outside-repository" };

/** How the change under review edits the reviewers file, by name. */
export interface ReviewersChange {
  /** repository-relative, with / */
  path: string;
  added: string[];
  removed: string[];
  /** names whose keys changed */
  rekeyed: string[];
  /** the file is new (there was none at the base) or gone */
  created: boolean;
  deleted: boolean;
  /** the new file's first error: after the merge it would not load */
  invalid: { line: number; message: string } | undefined;
  /** 1-based line of the first added or re-keyed entry in the new file (1 when there is none) */
  line: number;
  /** the new file is a symbolic link (or lies below one) */
  linked: boolean;
}

export interface LoadedReviewers {
  /** the `reviewers` input as written */
  file: string;
  /** undefined: there is no reviewers file where it is read from */
  reviewers: AllowedReviewer[] | undefined;
  source: ReviewersSource;
  /** undefined when the change leaves the list as it was (comments and layout do not count) */
  change: ReviewersChange | undefined;
  /**
   * Why there is no list although one is needed (no file, or a link at the base): one error of the
   * run, which still checks every policy, with nobody counting as a reviewer.
   */
  missing: string | undefined;
  /** the change turns the reviewers file into a symbolic link (or puts one on its way): refused */
  linked: { link: string; target: string | undefined } | undefined;
}

export interface ReviewersRequirements {
  requireReview: boolean;
  failOnEscalationWithoutReview: boolean;
}

const FORMAT = "one `NAME ed25519:KEY` a line; see charter keygen";

/** How to create the first reviewers file, for the error that says there is none. */
export function createReviewersHelp(file: string): string {
  return `create it in a change of its own, merged through the repository's usual review: charter keygen --out ~/.charter/NAME && mkdir -p ${dirnameOf(file)} && echo "NAME $(cat ~/.charter/NAME.pub)" >> ${file}`;
}

const dirnameOf = (file: string) => (file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".");

export function loadReviewers(root: string, file: string, baseSha: string | undefined, need: ReviewersRequirements): LoadedReviewers {
  const full = resolve(root, file);
  const rel = relative(root, full);
  const inRepo = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  const path = rel.split(sep).join("/");
  const state = inRepo ? headState(root, path) : undefined;
  const linked = state?.kind === "linked" ? { link: state.link, target: state.target } : undefined;
  const workingText = existsSync(full) && state?.kind !== "other" ? readFileSync(full, "utf8") : undefined;

  const source: ReviewersSource = !inRepo
    ? { kind: "working-tree", why: "outside-repository" }
    : baseSha
      ? { kind: "base", sha: baseSha }
      : { kind: "working-tree", why: "no-base" };
  const baseIsLink = source.kind === "base" && modeAtCommit(root, source.sha, path) === "120000";
  const text = source.kind === "base" ? (baseIsLink ? undefined : showAtCommit(root, source.sha, path)) : linked ? undefined : workingText;
  const where = source.kind === "base" ? ` in the base commit ${source.sha.slice(0, 12)}` : "";

  if (text === undefined) {
    const why =
      source.kind === "base"
        ? ` (reviewers are read from the base commit, so that a change cannot name its own)${workingText !== undefined ? "; this change adds one: merge it on its own first, through the repository's usual review" : ""}`
        : "";
    const what = baseIsLink
      ? `${file}${where} is a symbolic link, not a reviewers file (a link lets the list change where nobody reviews it)`
      : linked && source.kind !== "base"
        ? `${file} is a symbolic link, not a reviewers file (a link lets the list change where nobody reviews it)`
        : `there is no reviewers file at ${file}${where}${why}`;
    let missing: string | undefined;
    if (need.requireReview)
      missing = `require-review is on but ${what}: no review can be verified, so every policy counts as unreviewed. Fix: ${baseIsLink || linked ? `replace the link with the file itself` : createReviewersHelp(file)} (${FORMAT})`;
    else if (need.failOnEscalationWithoutReview) {
      missing = `fail-on-escalation-without-review is on but ${what}: an escalation is accepted only when a listed reviewer signs it or approves the pull request, and without a list an author could approve their own. Fix: ${baseIsLink || linked ? "replace the link with the file itself" : createReviewersHelp(file)} (${FORMAT}), or set fail-on-escalation-without-review: false`;
    }
    // a file the change adds is still worth a line in the summary
    const change = source.kind === "base" && workingText !== undefined && !baseIsLink ? reviewersChange(path, "", workingText) : undefined;
    return { file, reviewers: undefined, source, change: change && { ...change, created: true }, missing, linked };
  }
  const { reviewers, errors } = parseReviewers(text);
  if (errors.length) throw new SetupError(`${file}${where}, line ${errors[0]!.line}: ${errors[0]!.message}`);
  const change =
    source.kind === "base" && (workingText !== text || linked) ? reviewersChange(path, text, workingText, !!linked) : undefined;
  return { file, reviewers, source, change, missing: undefined, linked };
}

/** Names a reviewers file lists, each with its keys: a Map, since a name may be `constructor`. */
function keysByName(reviewers: readonly AllowedReviewer[]): Map<string, string> {
  const keys = new Map<string, string[]>();
  for (const r of reviewers) keys.set(r.name, [...(keys.get(r.name) ?? []), r.publicKey]);
  return new Map([...keys].map(([name, ks]) => [name, [...new Set(ks)].sort().join(" ")]));
}

/** The change from the base's list to the new text; undefined when only comments or layout moved. */
export function reviewersChange(path: string, baseText: string, headText: string | undefined, linked = false): ReviewersChange | undefined {
  const before = keysByName(parseReviewers(baseText).reviewers);
  const parsed = headText === undefined ? { reviewers: [], errors: [] } : parseReviewers(headText);
  const after = keysByName(parsed.reviewers);
  const added = [...after.keys()].filter((n) => !before.has(n)).sort();
  const removed = [...before.keys()].filter((n) => !after.has(n)).sort();
  const rekeyed = [...after.keys()].filter((n) => before.has(n) && before.get(n) !== after.get(n)).sort();
  const invalid = parsed.errors[0];
  if (!added.length && !removed.length && !rekeyed.length && !invalid && headText !== undefined && !linked) return undefined;
  const first = [...added, ...rekeyed];
  const lines = (headText ?? "").split(/\r?\n/);
  const at = lines.findIndex((l) => first.some((n) => l.trim().startsWith(n + " ") || l.trim().startsWith(n + "\t")));
  return {
    path,
    added,
    removed,
    rekeyed,
    created: false,
    deleted: headText === undefined,
    invalid,
    line: invalid?.line ?? (at >= 0 ? at + 1 : 1),
    linked,
  };
}

/** The change in the reviewers' words: `adds mallory; removes bob`. */
export function describeReviewersChange(c: ReviewersChange): string {
  const names = (xs: string[]) => xs.map((x) => `'${x}'`).join(", ");
  const parts: string[] = [];
  if (c.created) parts.push("creates the reviewers file");
  if (c.linked) parts.push("turns it into a symbolic link");
  if (c.deleted) parts.push("deletes the reviewers file");
  if (c.added.length) parts.push(`adds ${names(c.added)}`);
  if (c.rekeyed.length) parts.push(`changes the key of ${names(c.rekeyed)}`);
  if (c.removed.length && !c.deleted) parts.push(`removes ${names(c.removed)}`);
  if (c.invalid) parts.push(`leaves an entry that does not load (line ${c.invalid.line}: ${c.invalid.message})`);
  return parts.join("; ");
}

export type ReviewersChangeState =
  /** a reviewer listed at the base approved the head commit */
  | { kind: "approved"; logins: string[] }
  /** needed an approval and has none; `pullRequest` false: this run has nothing that could approve */
  | { kind: "unapproved"; pullRequest: boolean }
  /** neither require-review nor fail-on-escalation-without-review is on */
  | { kind: "ungated" };

export interface ReviewersReport {
  file: string;
  source: ReviewersSource;
  /** how many reviewers the list that counts holds; undefined: there is no list */
  count: number | undefined;
  change: ReviewersChange | undefined;
  state: ReviewersChangeState | undefined;
  /** why a needed list is missing; one error */
  missing: string | undefined;
  /** the reviewers file in the working tree is a symbolic link; one error, whoever approves */
  linked: { link: string; target: string | undefined } | undefined;
  errors: number;
}

/**
 * Decides a change to the reviewers file: it changes who may approve, so it needs what an escalation
 * needs, and only a reviewer listed at the base can give it (`approvals` looks up exactly those).
 */
export async function judgeReviewers(
  loaded: LoadedReviewers,
  need: ReviewersRequirements,
  pullRequest: boolean,
  approvals: () => Promise<string[]>,
): Promise<ReviewersReport> {
  const { change } = loaded;
  let state: ReviewersChangeState | undefined;
  if (change) {
    if (!need.requireReview && !need.failOnEscalationWithoutReview) state = { kind: "ungated" };
    else {
      const logins = await approvals();
      state = logins.length ? { kind: "approved", logins } : { kind: "unapproved", pullRequest };
    }
  }
  const errors =
    (state?.kind === "unapproved" ? 1 : 0) +
    (change?.invalid ? 1 : 0) +
    (loaded.missing ? 1 : 0) +
    (loaded.linked && !loaded.missing ? 1 : 0);
  return {
    file: loaded.file,
    source: loaded.source,
    count: loaded.reviewers?.length,
    change,
    state,
    missing: loaded.missing,
    linked: loaded.linked,
    errors,
  };
}

/** The annotations for a changed reviewers file, in plain words, at the line that matters. */
export function reviewersAnnotations(
  report: ReviewersReport,
  baseNames: readonly string[],
): { level: "error" | "warning" | "notice"; message: string; file: string; line: number }[] {
  const { change, state } = report;
  const out: { level: "error" | "warning" | "notice"; message: string; file: string; line: number }[] = [];
  if (report.linked && change) {
    const to = report.linked.target ? ` to ${report.linked.target}` : " (dangling)";
    out.push({
      level: "error",
      message: `${change.path} is ${report.linked.link === change.path ? "" : `reached through `}a symbolic link${report.linked.link === change.path ? "" : ` (${report.linked.link})`}${to}: refused\nhelp: who may approve must be written in the reviewers file itself, or the list could change where no review looks: replace the link with the file`,
      file: change.path,
      line: 1,
    });
  }
  if (!change || !state) return out;
  const what = `${change.path} changes who may approve policies: it ${describeReviewersChange(change)}`;
  const listed = baseNames.length ? baseNames.slice(0, 10).join(", ") + (baseNames.length > 10 ? ", …" : "") : "nobody";
  if (state.kind === "approved")
    out.push({
      level: "notice",
      message: `${what}; approved on the pull request by ${state.logins.map((l) => "@" + l).join(", ")}`,
      file: change.path,
      line: change.line,
    });
  else if (state.kind === "ungated")
    out.push({
      level: "warning",
      message: `${what}; not gated, as require-review and fail-on-escalation-without-review are off`,
      file: change.path,
      line: change.line,
    });
  else {
    const how = state.pullRequest
      ? "an approving review of the pull request's head commit by a reviewer listed there"
      : "an approving pull-request review by a reviewer listed there, and this run is not for a pull request";
    out.push({
      level: "error",
      message: `${what}\nhelp: reviewers are read from the base commit, so a change cannot name its own; a change to the list needs ${how} (${listed})`,
      file: change.path,
      line: change.line,
    });
  }
  if (change.invalid) {
    out.push({
      level: "error",
      message: `${change.invalid.message}\nhelp: after the merge the reviewers file would not load, and every run would fail`,
      file: change.path,
      line: change.invalid.line,
    });
  }
  return out;
}
