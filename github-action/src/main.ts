// The Charter GitHub Action, as GitHub runs it (`node dist/index.js`): check every selected policy,
// annotate each diagnostic, diff each changed policy against the base commit, write the job summary,
// SARIF and compiled bundles, set the outputs, and fail the job on any error. It decides nothing the
// checker and the diff have not already said; it only applies the workflow's inputs.

import * as core from "@actions/core";
import * as github from "@actions/github";
import { canonicalJsonPretty, parseReviewers, type AllowedReviewer } from "@charter/language";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { annotate } from "./annotations.js";
import { approvingReviewers } from "./approvals.js";
import { evaluateDeleted, evaluatePolicy, type PolicyReport } from "./evaluate.js";
import { filesAtCommit, repoRoot, resolveCommit, showAtCommit } from "./git.js";
import { readInputs, SetupError, today, type ActionInputs } from "./inputs.js";
import { discoverPolicies, policyMatcher } from "./policy-paths.js";
import { sarifLog } from "./sarif.js";
import { renderSummary } from "./summary.js";

const VERSION = "0.1.0";

interface PullRequestPayload {
  number: number;
  base: { sha: string; ref: string };
  head: { sha: string };
}

function loadReviewers(root: string, inputs: ActionInputs): AllowedReviewer[] | undefined {
  const path = resolve(root, inputs.reviewersFile);
  if (!existsSync(path)) {
    if (inputs.requireReview) throw new SetupError(`require-review is on but there is no reviewers file at ${inputs.reviewersFile} (one \`NAME ed25519:KEY\` a line; see charter keygen)`);
    return undefined;
  }
  const { reviewers, errors } = parseReviewers(readFileSync(path, "utf8"));
  if (errors.length) throw new SetupError(`${inputs.reviewersFile}:${errors[0]!.line}: ${errors[0]!.message}`);
  return reviewers;
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
      core.info(logins.length ? `head commit ${pr.head.sha.slice(0, 12)} approved by allowed reviewer(s): ${logins.join(", ")}` : "no allowed reviewer approved the head commit");
      return logins;
    });
    return cached;
  };
}

function writeBundles(root: string, dir: string, reports: PolicyReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    if (r.status !== "checked" || r.errors || !r.bundle) continue;
    const file = join(dir, r.path.replace(/\.charter$/, "") + ".bundle.json");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, canonicalJsonPretty(r.bundle));
    out.push(relative(root, file).startsWith("..") ? file : relative(root, file).split(sep).join("/"));
  }
  return out;
}

export async function run(): Promise<number> {
  const inputs = readInputs();
  const cwd = process.cwd();
  const root = repoRoot(cwd);
  const prefix = relative(root, cwd).split(sep).join("/");
  const paths = inputs.paths.map((p) => (prefix ? posix.join(prefix, p) : p));
  const reviewers = loadReviewers(root, inputs);
  const todayDate = today();

  const { files, unmatched } = discoverPolicies(root, paths);
  for (const p of unmatched) core.warning(`paths: '${p}' matches no policy file`);

  const baseRef = baseRefOf(inputs);
  const baseSha = baseRef ? resolveCommit(root, baseRef.ref) : undefined;
  const opts = {
    requireReview: inputs.requireReview,
    failOnEscalationWithoutReview: inputs.failOnEscalationWithoutReview,
    reviewers,
    today: todayDate,
    approvals: approvalLookup(inputs, reviewers),
  };

  const reports: PolicyReport[] = [];
  for (const path of files) {
    const text = readFileSync(join(root, path), "utf8");
    const baseText = baseSha ? showAtCommit(root, baseSha, path) : undefined;
    reports.push(await evaluatePolicy(path, text, baseText, !!baseSha, opts));
  }
  if (baseSha) {
    const baseFiles = filesAtCommit(root, baseSha);
    const inBase = policyMatcher(paths, (p) => baseFiles.some((f) => f.startsWith(p + "/")));
    const present = new Set(files);
    for (const path of baseFiles.filter(inBase)) {
      if (present.has(path) || existsSync(join(root, path))) continue;
      reports.push(evaluateDeleted(path, showAtCommit(root, baseSha, path) ?? ""));
    }
  }

  for (const r of reports) annotate(r.path, r.diagnostics);
  const errors = reports.reduce((n, r) => n + r.errors, 0);
  const escalations = reports.reduce((n, r) => n + (r.changes ?? []).filter((c) => c.kind === "escalation").length, 0);
  for (const r of reports) {
    const state = r.status === "deleted" ? "deleted" : r.errors ? `${r.errors} error(s)` : "ok";
    core.info(`${r.path}: ${state}${r.digest ? ` (${r.digest})` : ""}, review: ${r.review.kind}${r.changes?.length ? `, ${r.changes.length} change(s)` : ""}`);
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
    await core.summary.addRaw(renderSummary({ reports, base: baseRef && baseSha ? { ref: baseRef.label, sha: baseSha } : undefined, errors, escalations })).write();
  }
  core.setOutput("errors", errors);
  core.setOutput("escalations", escalations);
  core.setOutput("bundles", JSON.stringify(bundles));

  if (errors) {
    core.info(`Charter: ${errors} error(s) in ${reports.filter((r) => r.errors).length} of ${reports.length} policies`);
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
    core.setFailed(e instanceof SetupError ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`);
  },
);
