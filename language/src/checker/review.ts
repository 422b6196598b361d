// Security review sign-off: a policy names its owner (CH8005) and carries a review (CH8001) of its
// current semantic digest (CH8002), recent enough for its cadence (CH8003), signed by an allowed
// reviewer when reviewers are configured (CH8004). CH8001–CH8004 are errors when review is required.

import * as A from "../ast.js";
import { DEFAULT_REVIEW_CADENCE_MS, reviewPayload, verifyBytes } from "../attest.js";
import type { RawDiagnostic } from "../diagnostics.js";
import type { CheckContext } from "./context.js";
import { bodyAfter, insertIntoBlock } from "./edits.js";

const DAY_MS = 86_400_000;

export function checkReview(ctx: CheckContext): void {
  const policy = ctx.model.policy;
  const severity = ctx.options.requireReview ? "error" : "warning";
  const report = (d: RawDiagnostic) => ctx.report({ ...d, severity });
  const fileStart = { start: 0, end: 0 };
  if (!policy) {
    ctx.report({
      code: "CH8005",
      span: fileStart,
      message: "this file has no policy header, so no owner is accountable for it",
      help: 'start the file with policy NAME { owner "team" }',
    });
    report({
      code: "CH8001",
      span: fileStart,
      message: "policy has no review",
      help: "have the security team review it: charter review sign FILE --by NAME --key KEY",
    });
    return;
  }
  const body = bodyAfter(ctx.text, policy.name.span.end, policy.span);
  if (!A.prop(policy.items, "owner")) {
    ctx.report({
      code: "CH8005",
      span: policy.name.span,
      message: `policy '${policy.name.value}' has no owner`,
      help: 'name the team accountable for what these agents may do: owner "team"',
      fix: { title: "Add an owner", edits: [insertIntoBlock(ctx.text, body, 'owner "OWNER-TEAM"')] },
    });
  }
  const review = A.item(policy.items, "review");
  if (!review) {
    report({
      code: "CH8001",
      span: policy.name.span,
      message: `policy '${policy.name.value}' has no review`,
      help: "a policy takes effect only after a security review of its exact meaning: charter review sign FILE --by NAME --key KEY",
    });
    return;
  }
  // lowering and hashing the whole policy is the dearest step of a check: only for a review
  const digest = ctx.bundle().digest;
  const reviewed = A.prop(review.items, "digest");
  if (!reviewed || reviewed.value.value !== digest) {
    report({
      code: "CH8002",
      span: reviewed ? reviewed.value.span : review.keywordSpan,
      message: reviewed
        ? `policy changed since its review: reviewed ${short(reviewed.value.value)}, now ${short(digest)}`
        : "review names no digest, so it does not say what was reviewed",
      help: 'have the change reviewed, then record the new digest (charter review sign, or the editor\'s "update review digest")',
      fix: reviewed
        ? { title: "Update review digest", edits: [{ span: reviewed.value.span, newText: JSON.stringify(digest) }] }
        : {
            title: "Add the current digest",
            edits: [
              insertIntoBlock(ctx.text, bodyAfter(ctx.text, review.keywordSpan.end, review.span), `digest ${JSON.stringify(digest)}`),
            ],
          },
    });
  }
  const on = A.prop(review.items, "on");
  const cadence = A.prop(review.items, "cadence")?.value.ms ?? DEFAULT_REVIEW_CADENCE_MS;
  const today = ctx.options.today ?? new Date().toISOString().slice(0, 10);
  if (on && Number.isFinite(cadence)) {
    const age = Date.parse(today) - Date.parse(on.value.value);
    // an impossible date (CH0003) is not also reported as stale
    if (age > cadence && new Date(Date.parse(on.value.value)).toISOString().startsWith(on.value.value)) {
      report({
        code: "CH8003",
        span: on.value.span,
        message: `review of ${on.value.value} is ${Math.floor(age / DAY_MS)} days old, past its cadence of ${Math.round(cadence / DAY_MS)} days`,
        help: "reviews expire so that policies are looked at again as agents and threats change: review it again",
      });
    }
  }
  if (ctx.options.reviewers) {
    const by = A.prop(review.items, "by")?.value.value ?? "";
    const signature = A.prop(review.items, "signature");
    const allowed = ctx.options.reviewers.filter((r) => r.name === by);
    let problem: string | undefined;
    if (!allowed.length) problem = `'${by}' is not an allowed reviewer`;
    else if (!signature) problem = `review by '${by}' is not signed`;
    else {
      const payload = reviewPayload({
        policy: policy.name.value,
        digest: reviewed?.value.value ?? "",
        by,
        on: on?.value.value ?? "",
        cadenceMs: cadence,
      });
      if (!allowed.some((r) => verifyBytes(payload, signature.value.value, r.publicKey)))
        problem = `the signature of '${by}' does not verify`;
    }
    if (problem) {
      report({
        code: "CH8004",
        span: signature ? signature.value.span : review.keywordSpan,
        message: problem,
        help: "sign the review with an allowed reviewer's key: charter review sign FILE --by NAME --key KEY",
      });
    }
  }
}

function short(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(0, 19) + "…" : JSON.stringify(digest);
}
