// The incident example end to end: examples/incident/session.mjs runs a real `charter serve` in front of
// the reference filesystem and memory servers, plays a hijacked session through an MCP SDK client, and
// writes the incident report with the real binary. The report must tell a responder what happened.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncidentReport } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../test/support/paths.js";

describe("examples/incident/session.mjs", () => {
  it("a hijacked session through charter serve yields a report with every refusal, approval and the isolation", () => {
    const out = mkdtempSync(join(tmpdir(), "charter-incident-test-"));
    const run = spawnSync(process.execPath, [join(ROOT, "examples/incident/session.mjs"), "--out", out], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // Verified with the checkpoint key's public half: a cut tail or a rewrite would show.
    expect(run.stdout).toMatch(/charter audit verify: audit\.jsonl: chain intact, \d+ records; 1 signed checkpoint, closed/);

    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as IncidentReport;
    expect(report.summary).toMatchObject({
      decisions: { allow: 5, deny: 5, approval_required: 2 },
      approvals: 2,
      isolations: 1,
      ingestRefused: 1,
    });
    // the call alice rejected is a refused call like the others, with her reason
    expect(report.refused.map((r) => [r.tool, r.rule, r.count])).toEqual([
      ["read_text_file", "args", 2],
      ["write_file", "approval", 1],
      ["write_file", "args", 1],
      ["create_entities", "memory_poisoning", 1],
      ["list_directory", "isolated", 1],
    ]);
    // one row per request, with who decided and the final outcome
    expect(report.approvals.map((a) => [a.tool, a.outcome, a.approver])).toEqual([
      ["write_file", "rejected", "alice"],
      ["write_file", "approved", "alice"],
    ]);
    expect(report.refused.find((r) => r.rule === "approval")).toMatchObject({ approver: "alice", outcome: "rejected" });
    // an answered request is one timeline entry: the approver's answer and the gateway's verdict
    const answered = report.timeline.filter((t) => t.seqs);
    expect(answered.map((t) => [t.outcome, t.verdict?.outcome, t.seqs?.length])).toEqual([
      ["rejected", "rejected", 2],
      ["approved", "approved", 2],
    ]);
    const shown = new Set(report.timeline.map((t) => t.seq));
    for (const t of answered) expect(shown.has(t.verdict!.seq)).toBe(false);
    // the one high-tier action that ran, once, with the playbook that reverses it
    expect(report.highTier.map((h) => [h.tool, h.approver, h.reversal])).toEqual([
      ["write_file", "alice", "playbooks/restore-file-from-snapshot.md"],
    ]);
    // guardrail events name the tool whose result they concern
    expect(report.guardrails.map((g) => [g.event, g.tool ?? null])).toEqual([
      ["ingest_refused", "read_text_file"],
      ["output_filtered", "read_text_file"],
      ["isolation", null],
    ]);
    expect(report.dataVolume.toolResults).toBe(6);
    expect(report.dataVolume.bytesReturned).toBeGreaterThan(0);

    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("INC-4471: injected invoice");
  }, 180_000);
});
