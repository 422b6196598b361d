// The Charter GitHub Action, as GitHub runs it (`node dist/index.js`): check every selected policy,
// annotate each diagnostic, diff each changed policy against the base commit, write the job summary,
// SARIF and compiled bundles, set the outputs, and fail the job on any error. It decides nothing the
// checker and the diff have not already said; it only applies the workflow's inputs.

import * as core from "@actions/core";
import * as github from "@actions/github";
import { canonicalJsonPretty, type AllowedReviewer, type Change } from "@charter/language";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { annotate } from "./annotations.js";
import { approvingReviewers } from "./approvals.js";
import { baseBundle, evaluateDeleted, evaluatePolicy, evaluateRefused, type GateFinding, type PolicyReport } from "./evaluate.js";
import { filesAtCommit, modeAtCommit, renamesSince, repoRoot, resolveCommit, showAtCommit } from "./git.js";
import { readInputs, SetupError, today, type ActionInputs } from "./inputs.js";
import { discoverPolicies, headState, isSkipped, policyMatcher } from "./policy-paths.js";
import { judgeReviewers, loadReviewers, reviewersAnnotations } from "./reviewers.js";
import { sarifLog } from "./sarif.js";
import { renderSummary } from "./summary.js";

const VERSION = "0.1.0";

interface PullRequestPayload {
  number: number;
  base: { sha: string; ref: string };
  head: { sha: string };
}

/** The base to diff against: the input, else the pull request's base, else a push's previous commit. */
function baseRefOf(inputs: ActionInputs): { ref: string; label: string } | undefined {
  if (inputs.baseRef) return { ref: inputs.baseRef, label: inputs.baseRef };
  const pr = github.context.payload.pull_request as PullRequestPayload | undefined;
  if (pr?.base?.sha) return { ref: pr.base.sha, label: pr.base.ref || pr.base.sha };
  const before = github.context.payload.before as string | undefined;
  if (before && !/^0+$/.test(before)) return { ref: before, label: before };
  return undefined;
}

/** Approvals are looked up at most once, and only when some policy needs them. */
function approvalLookup(inputs: ActionInputs, reviewers: AllowedReviewer[] | undefined): () => Promise<string[]> {
  let cached: Promise<string[]> | undefined;
  const pr = github.context.payload.pull_request as PullRequestPayload | undefined;
  return () => {
    if (!pr || !reviewers?.length) return Promise.resolve([]);
    if (!inputs.githubToken) {
      core.warning("no github-token: pull-request approvals cannot be read, so only signed reviews count");
      return Promise.resolve([]);
    }
    cached ??= approvingReviewers(
      { ...github.context.repo, number: pr.number, headSha: pr.head.sha },
      inputs.githubToken,
      reviewers.map((r) => r.name),
    ).then((logins) => {
      core.info(
        logins.length
          ? `head commit ${pr.head.sha.slice(0, 12)} approved by allowed reviewer(s): ${logins.join(", ")}`
          : "no allowed reviewer approved the head commit",
      );
      return logins;
    });
    return cached;
  };
}

function writeBundles(root: string, dir: string, reports: PolicyReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    if ((r.status !== "checked" && r.status !== "moved-out") || r.errors || !r.bundle) continue;
    const file = join(dir, r.path.replace(/\.charter$/, "") + ".bundle.json");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, canonicalJsonPretty(r.bundle));
    out.push(relative(root, file).startsWith("..") ? file : relative(root, file).split(sep).join("/"));
  }
  return out;
}

/** The policy's name, or undefined when the text does not get that far. */
function policyName(text: string): string | undefined {
  try {
    return baseBundle(text).policy.name || undefined;
  } catch {
    return undefined;
  }
}

function linkFinding(path: string, link: string, target: string | undefined, wasPlain: boolean): GateFinding {
  const how = link === path ? "is a symbolic link" : `is reached through the symbolic link ${link}`;
  return {
    title: "symbolic link",
    severity: "error",
    line: 1,
    message: `${path} ${how} to ${target ?? "nothing (it dangles)"}${wasPlain ? ", where the base has a plain policy file" : ""}: refused`,
    help: "the gate checks the file a change edits, while charter build follows the link, whose target can change where `paths` does not look: replace the link with the policy file itself",
  };
}

export async function run(): Promise<number> {
  const inputs = readInputs();
  const cwd = process.cwd();
  const root = repoRoot(cwd);
  const prefix = relative(root, cwd).split(sep).join("/");
  const paths = inputs.paths.map((p) => (prefix ? posix.join(prefix, p) : p));
  const todayDate = today();

  const { files, linked, all, unmatched } = discoverPolicies(root, paths);
  for (const p of unmatched) core.warning(`paths: '${p}' matches no policy file`);

  const baseRef = baseRefOf(inputs);
  const baseSha = baseRef ? resolveCommit(root, baseRef.ref) : undefined;
  // the list that decides reviews is the base's: the change under review cannot add its own author
  const loaded = loadReviewers(root, inputs.reviewersFile, baseSha, inputs);
  // without a list where one is needed, nobody counts as a reviewer: every policy is still checked
  const reviewers = loaded.reviewers ?? (loaded.missing ? [] : undefined);
  if (loaded.source.kind === "base" && loaded.reviewers)
    core.info(`allowed reviewers: ${inputs.reviewersFile} at the base commit ${loaded.source.sha.slice(0, 12)}`);
  else if (loaded.reviewers)
    core.info(
      `allowed reviewers: ${inputs.reviewersFile} in the working tree (${loaded.source.kind === "working-tree" && loaded.source.why === "no-base" ? "there is no base commit" : "it is outside the repository"})`,
    );
  const approvals = approvalLookup(inputs, reviewers);
  const opts = {
    requireReview: inputs.requireReview,
    failOnEscalationWithoutReview: inputs.failOnEscalationWithoutReview,
    reviewers,
    today: todayDate,
    approvals,
  };
  const reviewersReport = await judgeReviewers(loaded, inputs, !!github.context.payload.pull_request, approvals);

  const baseFiles = baseSha ? filesAtCommit(root, baseSha) : [];
  const inBaseTree = new Set(baseFiles);
  const baseTexts = new Map<string, string | undefined>();
  const baseText = (path: string) => {
    if (!baseSha || !inBaseTree.has(path)) return undefined;
    if (!baseTexts.has(path)) baseTexts.set(path, modeAtCommit(root, baseSha, path) === "120000" ? "" : showAtCommit(root, baseSha, path));
    return baseTexts.get(path);
  };

  // base policies no longer at their path as plain files: renamed, moved out of `paths`, refused or deleted
  const present = new Set(files);
  const renamedTo = new Map<string, string>(); // head path -> base path
  const movedOut: { from: string; to: string }[] = [];
  const refused: PolicyReport[] = [];
  const deleted: string[] = [];
  if (baseSha) {
    const inBase = policyMatcher(paths, (p) => baseFiles.some((f) => f.startsWith(p + "/")));
    const linkedPaths = new Set(linked.map((l) => l.path));
    const added = files.filter((f) => !inBaseTree.has(f));
    const outside = new Set(all.filter((f) => !present.has(f)));
    const gitRenames = renamesSince(root, baseSha);
    const taken = new Set<string>();
    for (const path of baseFiles.filter((f) => inBase(f) && !isSkipped(f) && !present.has(f))) {
      if (linkedPaths.has(path)) continue; // refused below, with what it links to
      const state = headState(root, path);
      if (state.kind === "file") continue;
      if (state.kind === "linked") {
        refused.push(evaluateRefused(path, linkFinding(path, state.link, state.target, true), baseText(path), true, undefined));
        continue;
      }
      if (state.kind === "other") {
        const finding: GateFinding = {
          title: "not a policy file",
          severity: "error",
          line: 1,
          message: `${path} is a plain policy file at the base and no longer one here: refused`,
          help: "a policy the gate checked must stay a plain file, or be deleted",
        };
        refused.push(evaluateRefused(path, finding, baseText(path), true, undefined));
        continue;
      }
      const text = baseText(path) ?? "";
      const name = policyName(text);
      const free = (f: string) => !taken.has(f);
      const sameName = (f: string) => name !== undefined && policyName(readFileSync(join(root, f), "utf8")) === name;
      const byGit = gitRenames.get(path);
      // a policy keeps its identity (its name) across a rename; git's similarity only breaks ties
      const within = byGit && added.includes(byGit) && free(byGit) && sameName(byGit) ? byGit : added.find((f) => free(f) && sameName(f));
      if (within) {
        taken.add(within);
        renamedTo.set(within, path);
        continue;
      }
      const out =
        byGit && outside.has(byGit) && free(byGit) && sameName(byGit)
          ? byGit
          : [...outside].find((f) => f.endsWith(".charter") && !inBaseTree.has(f) && free(f) && sameName(f));
      if (out) {
        taken.add(out);
        movedOut.push({ from: path, to: out });
        continue;
      }
      deleted.push(path);
    }
  }

  const reports: PolicyReport[] = [];
  for (const path of files) {
    const text = readFileSync(join(root, path), "utf8");
    const from = renamedTo.get(path) ?? path;
    const before = baseText(from);
    reports.push(
      await evaluatePolicy({ path, text, base: before === undefined ? undefined : { path: from, text: before }, hasBase: !!baseSha }, opts),
    );
  }
  for (const l of linked) {
    const inside = l.target !== undefined && !isAbsolute(l.target) && !l.path.endsWith("/");
    let reached: string | undefined;
    if (inside) {
      try {
        reached = readFileSync(join(root, l.path), "utf8");
      } catch {
        reached = undefined;
      }
    }
    const before = baseText(l.path);
    reports.push(evaluateRefused(l.path, linkFinding(l.path, l.link, l.target, before !== undefined), before, !!baseSha, reached));
  }
  reports.push(...refused);
  for (const { from, to } of movedOut) {
    const what = `moved out of the checked paths (${inputs.paths.join(", ")}) to ${to}: the gate no longer checks it, while it can still be built from there`;
    const extra: Change[] = [{ kind: "escalation", agent: null, tool: null, what }];
    reports.push(
      await evaluatePolicy(
        { path: to, text: readFileSync(join(root, to), "utf8"), base: { path: from, text: baseText(from) ?? "" }, hasBase: true, extra },
        opts,
      ),
    );
  }
  for (const path of deleted) reports.push(evaluateDeleted(path, baseText(path) ?? ""));

  for (const r of reports) {
    annotate(r.path, r.diagnostics);
    for (const g of r.gate)
      (g.severity === "error" ? core.error : core.warning)(`${g.message}\nhelp: ${g.help}`, {
        title: g.title,
        file: r.path,
        startLine: g.line,
      });
  }
  if (reviewersReport.missing) {
    const props = existsSync(join(root, inputs.reviewersFile))
      ? { title: "no reviewers file", file: inputs.reviewersFile }
      : { title: "no reviewers file" };
    core.error(reviewersReport.missing, props);
  }
  for (const a of reviewersAnnotations(
    reviewersReport,
    (reviewers ?? []).map((r) => r.name),
  )) {
    const props = { title: "reviewers file changed", file: a.file, startLine: a.line };
    if (a.level === "error") core.error(a.message, props);
    else if (a.level === "warning") core.warning(a.message, props);
    else core.notice(a.message, props);
  }
  const errors = reports.reduce((n, r) => n + r.errors, 0) + reviewersReport.errors;
  const escalations =
    reports.reduce((n, r) => n + (r.changes ?? []).filter((c) => c.kind === "escalation").length, 0) + (reviewersReport.change ? 1 : 0);
  for (const r of reports) {
    const state = r.status === "deleted" || r.status === "refused" ? r.status : r.errors ? `${r.errors} error(s)` : "ok";
    core.info(
      `${r.path}: ${state}${r.digest ? ` (${r.digest})` : ""}, review: ${r.review.kind}${r.changes?.length ? `, ${r.changes.length} change(s)` : ""}`,
    );
  }

  const bundleDir = inputs.bundleDir ? resolve(cwd, inputs.bundleDir) : join(process.env.RUNNER_TEMP || tmpdir(), "charter-bundles");
  const bundles = writeBundles(root, bundleDir, reports);
  if (inputs.sarif) {
    const file = resolve(cwd, inputs.sarif);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(sarifLog(reports, VERSION), null, 2) + "\n");
    core.setOutput("sarif", inputs.sarif);
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary
      .addRaw(
        renderSummary({
          reports,
          reviewers: reviewersReport,
          base: baseRef && baseSha ? { ref: baseRef.label, sha: baseSha } : undefined,
          errors,
          escalations,
        }),
      )
      .write();
  }
  core.setOutput("errors", errors);
  core.setOutput("escalations", escalations);
  core.setOutput("bundles", JSON.stringify(bundles));

  if (errors) {
    const inReviewers = reviewersReport.errors ? ` and ${reviewersReport.errors} in the reviewers file` : "";
    core.info(
      `Charter: ${errors} error(s): ${errors - reviewersReport.errors} in ${reports.filter((r) => r.errors).length} of ${reports.length} policies${inReviewers}`,
    );
    return 1;
  }
  core.info(`Charter: ${reports.length} policies, no errors, ${escalations} escalation(s)`);
  return 0;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof SetupError) return core.setFailed(e.message);
    // one line for the log and the annotation; the stack only when the run asked for debug output
    const message = (e instanceof Error ? e.message : String(e)).split(/\r?\n/)[0] || "unknown error";
    if (core.isDebug() && e instanceof Error && e.stack) core.debug(e.stack);
    core.setFailed(
      `internal error in the Charter Action: ${message} (a bug, not a problem in your policies: re-run with debug logging for the stack trace and report it at https://github.com/charter-policy/charter/issues)`,
    );
  },
);
