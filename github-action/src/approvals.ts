// Pull-request approvals as a stand-in for a signed attestation: the GitHub logins, listed in the
// reviewers file, whose latest review of the pull request approves its head commit. Read through
// the REST API with @actions/github, which honours GITHUB_API_URL (GitHub Enterprise, tests).

import * as github from "@actions/github";

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

interface Review {
  user: { login: string } | null;
  state: string;
  commit_id: string | null;
}

/**
 * Logins whose latest approving-or-blocking review approves `headSha`: a later "changes requested"
 * or dismissal withdraws an approval, and an approval of an older commit does not cover new pushes.
 */
export function approversOfHead(reviews: readonly Review[], headSha: string): string[] {
  const latest = new Map<string, Review>();
  for (const r of reviews) {
    if (!r.user || !["APPROVED", "CHANGES_REQUESTED", "DISMISSED"].includes(r.state)) continue;
    latest.set(r.user.login.toLowerCase(), r);
  }
  return [...latest.entries()]
    .filter(([, r]) => r.state === "APPROVED" && r.commit_id === headSha)
    .map(([login]) => login)
    .sort();
}

/** Allowed reviewers (names from the reviewers file, matched to logins case-insensitively) who approved. */
export async function approvingReviewers(pr: PullRequestRef, token: string, reviewerNames: readonly string[]): Promise<string[]> {
  const octokit = github.getOctokit(token);
  const reviews = (await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  })) as Review[];
  const allowed = new Set(reviewerNames.map((n) => n.toLowerCase()));
  return approversOfHead(reviews, pr.headSha).filter((login) => allowed.has(login));
}
