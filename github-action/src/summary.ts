// The job summary, in Markdown: a verdict line, a table of policies (status, digest, review state),
// the classified changes of each changed policy with escalations first, and the errors found.
// Every message in it is the checker's or the diff's; this module only lays them out.

import type { Change } from "@charter/language";
import type { PolicyReport, ReviewState } from "./evaluate.js";

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
      return "—";
  }
}

function statusCell(r: PolicyReport): string {
  if (r.status === "deleted") return "🗑️ deleted";
  if (r.errors) return `❌ ${plural(r.errors, "error")}`;
  if (r.warnings) return `⚠️ ${plural(r.warnings, "warning")}`;
  return "✅ ok";
}

export interface SummaryInput {
  reports: readonly PolicyReport[];
  base: { ref: string; sha: string } | undefined;
  errors: number;
  escalations: number;
}

export function renderSummary({ reports, base, errors, escalations }: SummaryInput): string {
  const out: string[] = ["## Charter policy check", ""];
  const failing = reports.filter((r) => r.errors).length;
  const verdict = errors
    ? `❌ ${plural(errors, "error")} in ${failing} of ${policies(reports.length)}`
    : `✅ ${policies(reports.length)} checked, no errors`;
  const against = base ? ` · compared with ${code(base.ref)}${base.ref !== base.sha ? ` (${base.sha.slice(0, 12)})` : ""}` : "";
  out.push(`${verdict} · ${plural(escalations, "escalation")}${against}`, "");

  out.push("| Policy | Status | Digest | Review |", "|---|---|---|---|");
  for (const r of reports) {
    const digest = r.digest ? code(r.digest.slice(0, 19) + "…") : "—";
    out.push(`| ${code(r.path)}${r.added ? " (new)" : ""} | ${statusCell(r)} | ${digest} | ${reviewCell(r.review)} |`);
  }
  out.push("");

  const changed = reports.filter((r) => r.changes?.length);
  if (changed.length) {
    out.push("### Changes in meaning", "");
    for (const r of changed) {
      const n = { escalation: 0, reduction: 0, neutral: 0 };
      for (const c of r.changes!) n[c.kind]++;
      out.push(`#### ${code(r.path)}: ${plural(n.escalation, "escalation")}, ${plural(n.reduction, "reduction")}, ${n.neutral} neutral`, "");
      out.push("| Kind | Agent | Tool | Change |", "|---|---|---|---|");
      for (const c of r.changes!) out.push(`| ${KIND_LABEL[c.kind]} | ${c.agent ? code(c.agent) : "(policy)"} | ${c.tool ? code(c.tool) : ""} | ${cell(c.what)} |`);
      out.push("");
    }
  } else if (base) {
    out.push("No policy changed in meaning.", "");
  }

  const problems = reports.flatMap((r) => r.diagnostics.filter((d) => d.severity === "error").map((d) => ({ r, d })));
  if (problems.length) {
    out.push("### Errors", "");
    for (const { r, d } of problems) out.push(`- ${code(`${r.path}:${d.range.start.line + 1}:${d.range.start.character + 1}`)} **${d.code}** ${cell(d.message)}`);
    out.push("");
  }
  return out.join("\n");
}
