// The job summary, in Markdown: a verdict line, where the allowed reviewers were read from, a table
// of policies (status, digest, review state), a change to the reviewers file, the classified changes
// of each changed policy with escalations first, and the errors found. Every message about a policy
// is the checker's or the diff's; this module only lays them out.

import type { Change } from "@charter/language";
import type { PolicyReport, ReviewState } from "./evaluate.js";
import { describeReviewersChange, type ReviewersReport } from "./reviewers.js";

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
const policies = (n: number) => `${n} ${n === 1 ? "policy" : "policies"}`;

const KIND_LABEL: Record<Change["kind"], string> = { escalation: "🔺 escalation", reduction: "🔻 reduction", neutral: "▫️ neutral" };

function reviewCell(r: ReviewState): string {
  switch (r.kind) {
    case "signed":
      return `✅ reviewed by ${cell(r.by)} on ${r.on}${r.verified ? ", signature verified" : " (signature not checked: no reviewers file)"}`;
    case "approved":
      return `✅ approved on the pull request by ${r.logins.map((l) => "@" + l).join(", ")}`;
    case "unreviewed":
      return `❌ not reviewed (${r.codes.join(", ")})`;
    case "deleted":
    case "refused":
      return "—";
  }
}

function statusCell(r: PolicyReport): string {
  if (r.status === "deleted") return "🗑️ deleted";
  if (r.status === "refused") return `❌ refused: ${cell(r.gate[0]?.title ?? "not a plain file")}`;
  if (r.errors) return `❌ ${plural(r.errors, "error")}`;
  if (r.warnings) return `⚠️ ${plural(r.warnings, "warning")}`;
  return "✅ ok";
}

function reviewersLine(r: ReviewersReport): string {
  const file = code(r.file);
  if (r.missing) return `Allowed reviewers: none, and this run needs them (❌ ${cell(r.missing)}).`;
  if (r.count === undefined) return `Allowed reviewers: none (no ${file}), so signatures are not checked.`;
  const n = plural(r.count, "reviewer");
  if (r.source.kind === "base")
    return `Allowed reviewers: ${n} from ${file} at the base commit (${r.source.sha.slice(0, 12)}), not as this change leaves it.`;
  if (r.source.why === "no-base")
    return `Allowed reviewers: ${n} from ${file} in the working tree: there is no base commit to read it from, so this change's own list counts.`;
  return `Allowed reviewers: ${n} from ${file}, outside the repository.`;
}

function reviewersChangeLines(r: ReviewersReport): string[] {
  if (!r.change || !r.state) return [];
  const state =
    r.state.kind === "approved"
      ? `✅ approved on the pull request by ${r.state.logins.map((l) => "@" + l).join(", ")}`
      : r.state.kind === "ungated"
        ? "⚠️ not gated (require-review and fail-on-escalation-without-review are off)"
        : `❌ needs an approving review of the head commit by a reviewer listed at the base${r.state.pullRequest ? "" : " (this run is not for a pull request)"}`;
  return [
    "### Reviewers file changed",
    "",
    `🔺 escalation: ${code(r.change.path)} ${cell(describeReviewersChange(r.change))}. ${state}.`,
    "",
  ];
}

function pathNote(r: PolicyReport): string {
  if (r.status === "moved-out") return ` (moved from ${code(r.renamedFrom!)}, out of the checked paths)`;
  if (r.renamedFrom)
    return r.renamedFrom.toLowerCase() === r.path.toLowerCase()
      ? ` (renamed from ${code(r.renamedFrom)}: case only)`
      : ` (renamed from ${code(r.renamedFrom)})`;
  return r.added ? " (new)" : "";
}

export interface SummaryInput {
  reports: readonly PolicyReport[];
  reviewers: ReviewersReport;
  base: { ref: string; sha: string } | undefined;
  errors: number;
  escalations: number;
}

export function renderSummary({ reports, reviewers, base, errors, escalations }: SummaryInput): string {
  const out: string[] = ["## Charter policy check", ""];
  const failing = reports.filter((r) => r.errors).length;
  const inPolicies = errors - reviewers.errors;
  const where = [
    inPolicies ? `in ${failing} of ${policies(reports.length)}` : "",
    reviewers.errors ? `${inPolicies ? "and " : ""}in the reviewers file` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const verdict = errors ? `❌ ${plural(errors, "error")} ${where}` : `✅ ${policies(reports.length)} checked, no errors`;
  const against = base ? ` · compared with ${code(base.ref)}${base.ref !== base.sha ? ` (${base.sha.slice(0, 12)})` : ""}` : "";
  out.push(`${verdict} · ${plural(escalations, "escalation")}${against}`, "", reviewersLine(reviewers), "");

  out.push("| Policy | Status | Digest | Review |", "|---|---|---|---|");
  for (const r of reports) {
    const digest = r.digest ? code(r.digest.slice(0, 19) + "…") : "—";
    out.push(`| ${code(r.path)}${pathNote(r)} | ${statusCell(r)} | ${digest} | ${reviewCell(r.review)} |`);
  }
  out.push("");
  out.push(...reviewersChangeLines(reviewers));

  const changed = reports.filter((r) => r.changes?.length);
  if (changed.length) {
    out.push("### Changes in meaning", "");
    for (const r of changed) {
      const n = { escalation: 0, reduction: 0, neutral: 0 };
      for (const c of r.changes!) n[c.kind]++;
      out.push(
        `#### ${code(r.path)}: ${plural(n.escalation, "escalation")}, ${plural(n.reduction, "reduction")}, ${n.neutral} neutral`,
        "",
      );
      out.push("| Kind | Agent | Tool | Change |", "|---|---|---|---|");
      for (const c of r.changes!)
        out.push(`| ${KIND_LABEL[c.kind]} | ${c.agent ? code(c.agent) : "(policy)"} | ${c.tool ? code(c.tool) : ""} | ${cell(c.what)} |`);
      out.push("");
    }
  } else if (base) {
    out.push("No policy changed in meaning.", "");
  }

  const problems = reports.flatMap((r) => [
    ...r.gate.filter((g) => g.severity === "error").map((g) => `- ${code(`${r.path}:${g.line}`)} **${cell(g.title)}** ${cell(g.message)}`),
    ...r.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `- ${code(`${r.path}:${d.range.start.line + 1}:${d.range.start.character + 1}`)} **${d.code}** ${cell(d.message)}`),
  ]);
  if (reviewers.missing) problems.push(`- ${code(reviewers.file)} **no reviewers file** ${cell(reviewers.missing)}`);
  if (reviewers.linked && !reviewers.missing)
    problems.push(
      `- ${code(reviewers.file)} **symbolic link** the reviewers file is a symbolic link${reviewers.linked.target ? ` to ${code(reviewers.linked.target)}` : ""}: refused`,
    );
  if (problems.length) {
    out.push("### Errors", "", ...problems, "");
  }
  return out.join("\n");
}
