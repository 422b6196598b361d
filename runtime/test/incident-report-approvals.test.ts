// The incident report of a real gateway session (fixtures/incident-session: `charter serve` in front of
// the reference filesystem and memory servers, the log of issue 12's acceptance run). An answered
// approval is two records — the approval service's record of the answer and the guard's verdict on the
// call — and the report shows them as one fact; a rejected call is a refused call; an attempt by someone
// who may not approve is listed with its request; a report about an agent the log does not hold says so.
import { checkText } from "@charter/language";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  buildIncidentReport,
  describeAuditVerification,
  filterAuditRecords,
  parseAuditRecords,
  renderIncidentHtml,
  renderIncidentMarkdown,
  verifyAuditLog,
} from "../src/index.js";

const dir = join(import.meta.dirname, "fixtures/incident-session");
const text = readFileSync(join(dir, "audit.jsonl"), "utf8");
const records = parseAuditRecords(text);
const bundle = checkText(readFileSync(join(dir, "clerk.charter"), "utf8")).bundle!;
const SINCE = Date.parse("2026-12-02T06:00:00Z");
const UNTIL = Date.parse("2026-12-02T07:00:00Z");
const REJECTED = "apr_5y5dAohQJ0g30IdJWyW-gA";
const APPROVED = "apr_UkoJTh3oO57UshZhxmjrIg";

function report(rs: AuditRecord[] = records, agent = "clerk", withBundle = true) {
  const v = verifyAuditLog(text);
  return buildIncidentReport({
    agent,
    since: SINCE,
    until: UNTIL,
    source: "audit.jsonl",
    ...(withBundle ? { bundle } : {}),
    chains: [{ name: "audit.jsonl", ok: v.ok, verification: describeAuditVerification(v, "audit.jsonl"), records: rs }],
  });
}

describe("the session's records", () => {
  it("hold two records per answered approval: the approver's answer, then the gateway's verdict", () => {
    const r20 = records.find((r) => r.seq === 20)!;
    const r21 = records.find((r) => r.seq === 21)!;
    expect([r20.trace[0]!.rule, r20.outcome, r20.approver]).toEqual(["approval.rejected", "rejected", "alice"]);
    expect([r21.trace[0]!.rule, r21.outcome, r21.approver]).toEqual(["approval", "rejected", "alice"]);
    expect(verifyAuditLog(text).ok).toBe(true);
    expect(bundle.digest).toBe(records[0]!.bundle);
  });
});

describe("incident report: approvals", () => {
  it("shows one timeline entry per answered approval, with the answer and the verdict", () => {
    const rep = report();
    const seqs = rep.timeline.map((t) => t.seq);
    expect(seqs).not.toContain(21);
    expect(seqs).not.toContain(26);
    const rejected = rep.timeline.find((t) => t.seq === 20)!;
    expect(rejected).toMatchObject({
      event: "approval",
      outcome: "rejected",
      approver: "alice",
      request: REJECTED,
      seqs: [20, 21],
      verdict: { seq: 21, outcome: "rejected", rule: "approval", reason: "rejected by alice: payroll never leaves hr/" },
    });
    expect(rejected.reason).toContain("rejected by alice: payroll never leaves hr/");
    expect(rejected.reason).toContain("the gateway refused the call (seq 21)");
    const approved = rep.timeline.find((t) => t.seq === 25)!;
    expect(approved).toMatchObject({ outcome: "approved", seqs: [25, 26], request: APPROVED });
    expect(approved.reason).toContain("the gateway let the call run (seq 26)");
    // the request id is a field, not noise at the end of the reason
    expect(rep.timeline.every((t) => !t.reason.endsWith(REJECTED) && !t.reason.endsWith(APPROVED))).toBe(true);
    const md = renderIncidentMarkdown(rep);
    expect(md).toMatch(
      /\| 20 \+ 21 \| approval \| write_file \| rejected \| approval\.rejected: .*payroll never leaves hr\/; the gateway refused the call/,
    );
    expect(md).toMatch(/\| 25 \+ 26 \| approval \| write_file \| approved \|/);
    expect(md.match(/\| 2[01] \| approval \|/g)).toBeNull();
  });

  it("lists the call alice rejected among the refused calls, with her reason", () => {
    const rep = report();
    const row = rep.refused.find((r) => r.tool === "write_file")!;
    expect(row).toMatchObject({
      rule: "approval",
      reason: "rejected by alice: payroll never leaves hr/",
      approver: "alice",
      count: 1,
      seq: 20,
      request: REJECTED,
    });
    expect(rep.summary).toMatchObject({ refused: 5, approvalsRefused: 1, decisions: { deny: 4 } });
    expect(renderIncidentMarkdown(rep)).toMatch(
      /## Refused calls and why[\s\S]*\| write_file \| approval \| rejected by alice: payroll never leaves hr\/ \| 1 \|[\s\S]*## Approvals/,
    );
    expect(renderIncidentHtml(rep)).toContain("<td>rejected by alice: payroll never leaves hr/</td>");
  });

  it("lists bob's forbidden attempt under the request he tried to answer, marked as refused", () => {
    const rep = report();
    expect(rep.approvals.map((a) => [a.request, a.outcome, a.approver, a.refusedAttempts?.map((t) => t.approver) ?? []])).toEqual([
      [REJECTED, "rejected", "alice", ["bob"]],
      [APPROVED, "approved", "alice", []],
    ]);
    expect(rep.approvals[0]!.refusedAttempts![0]).toMatchObject({ seq: 19, outcome: "forbidden", rule: "approval.forbidden" });
    expect(rep.summary).toMatchObject({ approvals: 2, approvalAttemptsRefused: 1 });
    const md = renderIncidentMarkdown(rep);
    const section = md.slice(md.indexOf("## Approvals"), md.indexOf("## Guardrail"));
    expect(section).toMatch(
      /\| write_file \| rejected \| alice \| rejected by alice: payroll never leaves hr\/ \|\n\| [^|]+ \| write_file \| attempt refused \(forbidden\) \| bob \| bob tried to approve request/,
    );
    expect(renderIncidentHtml(rep)).toContain("<td>attempt refused (forbidden)</td><td>bob</td>");
  });

  it("counts the approved call once as a high-tier action and its arguments as sent", () => {
    const rep = report();
    expect(rep.highTier.map((h) => [h.seq, h.tool, h.approver, h.reversal])).toEqual([
      [25, "write_file", "alice", "playbooks/restore-file-from-snapshot.md"],
    ]);
    const approvedArgs = records.find((r) => r.seq === 26)!.action!.args;
    const withoutApproval = report(records.filter((r) => r.seq !== 26 && r.seq !== 25));
    expect(rep.dataVolume.argumentBytes - withoutApproval.dataVolume.argumentBytes).toBe(
      Buffer.byteLength(JSON.stringify(approvedArgs), "utf8"),
    );
  });

  it("an approval the gateway overruled (agent isolated while waiting) is a refusal, not an action taken", () => {
    const overruled = records.map((r) =>
      r.seq === 26
        ? {
            ...r,
            outcome: "rejected",
            trace: [
              { rule: "isolated", reason: "approved by alice, but clerk was isolated while waiting (INC-77: injected invoice)" },
              { rule: "approval.request", reason: APPROVED },
            ],
          }
        : r,
    );
    const rep = report(overruled);
    expect(rep.highTier).toEqual([]);
    expect(rep.refused.find((r) => r.rule === "isolated" && r.tool === "write_file")).toMatchObject({ approver: "alice", seq: 25 });
    const entry = rep.timeline.find((t) => t.seq === 25)!;
    expect(entry.outcome).toBe("rejected");
    expect(entry.reason).toContain("the gateway refused the call anyway (seq 26, isolated: approved by alice, but clerk was isolated");
    expect(rep.approvals[1]).toMatchObject({ outcome: "rejected", rule: "isolated" });
  });

  it("a request nobody answered: the service's expiry and the gateway's timeout are one refusal", () => {
    const expired = records.map((r) =>
      r.seq === 20
        ? {
            ...r,
            outcome: "expired",
            approver: undefined,
            trace: [
              { rule: "approval.expired", reason: `request ${REJECTED} expired: no decision before 2026-12-02T06:05:05.971Z` },
              { rule: "approval.request", reason: REJECTED },
            ],
          }
        : r.seq === 21
          ? {
              ...r,
              outcome: "timeout",
              approver: undefined,
              trace: [
                { rule: "approval", reason: "no answer within 120s: rejected (never auto-approved)" },
                { rule: "approval.request", reason: REJECTED },
              ],
            }
          : r,
    );
    const rep = report(expired);
    const entry = rep.timeline.find((t) => t.seq === 20)!;
    expect(entry).toMatchObject({ outcome: "timeout", seqs: [20, 21] });
    expect(entry.reason).toContain("the gateway refused the call (seq 21, timeout: no answer within 120s");
    expect(entry.reason).not.toContain("anyway");
    expect(rep.refused.find((r) => r.tool === "write_file")).toMatchObject({
      rule: "approval",
      reason: "no answer within 120s: rejected (never auto-approved)",
      outcome: "timeout",
    });
    expect(rep.approvals[0]).toMatchObject({ outcome: "timeout", refusedAttempts: [expect.objectContaining({ approver: "bob" })] });
    expect(rep.approvals[0]!.approver).toBeUndefined();
    expect(filterAuditRecords(expired, { outcomes: ["deny"], tool: "write_file" }).map((r) => r.seq)).toEqual([21]);
  });

  it("a rejection whose verdict is outside the window is still a refused call", () => {
    const rep = report(records.filter((r) => r.seq !== 21));
    expect(rep.refused.find((r) => r.tool === "write_file")).toMatchObject({ rule: "approval.rejected", approver: "alice", seq: 20 });
    expect(rep.timeline.find((t) => t.seq === 20)).toMatchObject({ outcome: "rejected" });
    expect(rep.timeline.find((t) => t.seq === 20)!.seqs).toBeUndefined();
  });
});

describe("incident report: warnings", () => {
  it("an agent with no record in the window is named, with the agents that have some", () => {
    const rep = report(records, "nobody", false);
    expect(rep.summary.records).toBe(0);
    expect(rep.warnings).toHaveLength(1);
    expect(rep.warnings[0]).toMatch(
      /^no record of agent 'nobody' between 2026-12-02T06:00:00.000Z and 2026-12-02T07:00:00.000Z; agents with records in this window: clerk \(36 records\)/,
    );
    expect(rep.warnings[0]).not.toContain("charter-runtime");
    expect(renderIncidentMarkdown(rep)).toContain("> **Warning:** no record of agent 'nobody'");
    expect(renderIncidentHtml(rep)).toContain('<p class="bad">Warning: no record of agent');
    // the agent exists, but outside the window
    const early = buildIncidentReport({
      agent: "clerk",
      since: Date.parse("2026-12-01T00:00:00Z"),
      until: Date.parse("2026-12-01T01:00:00Z"),
      source: "audit.jsonl",
      chains: [{ name: "audit.jsonl", ok: true, verification: "", records }],
    });
    expect(early.warnings[0]).toContain("no agent has records in this window");
    expect(early.warnings[0]).toContain("'clerk' has 36 record(s) outside it (2026-12-02T06:02:04.485Z to 2026-12-02T06:04:07.202Z)");
    expect(report().warnings).toEqual([]);
  });

  it("a bundle that did not decide in the window is said to be another one", () => {
    const other = checkText(readFileSync(join(dir, "clerk.charter"), "utf8").replace("rate 120 per 1m", "rate 60 per 1m")).bundle!;
    const rep = buildIncidentReport({
      agent: "clerk",
      since: SINCE,
      until: UNTIL,
      source: "audit.jsonl",
      bundle: other,
      chains: [{ name: "audit.jsonl", ok: true, verification: "", records }],
    });
    expect(rep.warnings).toEqual([expect.stringContaining(`the bundle given (${other.digest}) is not one that decided in this window`)]);
  });
});

describe("filterAuditRecords --outcome", () => {
  it("deny includes the call refused after approval, once (the gateway's verdict), not the approver's answer", () => {
    const deny = filterAuditRecords(records, { outcomes: ["deny"] }).map((r) => r.seq);
    expect(deny).toEqual([7, 11, 12, 13, 21, 22, 38]);
    expect(filterAuditRecords(records, { outcomes: ["rejected"] }).map((r) => r.seq)).toEqual([20, 21]);
    expect(filterAuditRecords(records, { outcomes: ["approved"] }).map((r) => r.seq)).toEqual([25, 26]);
    expect(filterAuditRecords(records, { outcomes: ["forbidden"] }).map((r) => r.seq)).toEqual([19]);
  });
});
