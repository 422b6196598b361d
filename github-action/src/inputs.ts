// The Action's inputs (action.yml), read once and validated, so that the rest of the Action works
// on typed values. A bad input is a setup error: the job fails with one clear line.

import * as core from "@actions/core";

export interface ActionInputs {
  /** files, folders or globs relative to the workspace; default every *.charter */
  paths: string[];
  requireReview: boolean;
  reviewersFile: string;
  /** explicit base ref; empty: the pull request's base (or a push's previous commit) */
  baseRef: string;
  failOnEscalationWithoutReview: boolean;
  /** where to write SARIF 2.1.0; empty: none */
  sarif: string;
  /** where to write compiled bundles; empty: $RUNNER_TEMP/charter-bundles */
  bundleDir: string;
  githubToken: string;
}

export class SetupError extends Error {}

export function readInputs(): ActionInputs {
  const paths = core
    .getInput("paths")
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    paths: paths.length ? paths : ["**/*.charter"],
    requireReview: booleanInput("require-review", true),
    reviewersFile: core.getInput("reviewers") || ".charter/reviewers",
    baseRef: core.getInput("base-ref"),
    failOnEscalationWithoutReview: booleanInput("fail-on-escalation-without-review", true),
    sarif: core.getInput("sarif"),
    bundleDir: core.getInput("bundle-dir"),
    githubToken: core.getInput("github-token"),
  };
}

function booleanInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new SetupError(`input '${name}' must be true or false, got '${raw}'`);
}

/** Today for review cadence; CHARTER_TODAY pins it, as for the CLI. */
export function today(): string {
  const pinned = process.env.CHARTER_TODAY;
  if (pinned && !/^\d{4}-\d{2}-\d{2}$/.test(pinned)) throw new SetupError(`CHARTER_TODAY must be YYYY-MM-DD, got '${pinned}'`);
  return pinned || new Date().toISOString().slice(0, 10);
}
