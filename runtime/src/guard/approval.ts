// The approval service around the decision core: a call the core says needs approval waits for the
// approver within the tool's timeout. Only an explicit approval by a named approver lets it run; a
// rejection, timeout or error is a deny (never auto-approved). Before an approved call runs, the kill
// switch and the audit log are asked again: either may have changed while a human was deciding.
import type { AuditLog } from "../audit/audit-log.js";
import { redactArgs, type PiiKey } from "../audit/pii-args.js";
import { approvalArgsDigest, newApprovalId } from "../approval/approval-id.js";
import { sha256Tagged, type AuditEntry } from "../audit/record.js";
import {
  requestApproval,
  type ApprovalReason,
  type ApprovalRequest,
  type ApprovalTimers,
  type Approver,
} from "../approval/request-approval.js";
import type { CompiledAgent, CompiledTool } from "./compile-policy.js";
import type { Decision, DecisionRule, FinalDecision, ToolCall } from "./decision.js";
import type { KillSwitch } from "./kill-switch.js";

export interface ApprovalContext {
  approver(): Approver | undefined;
  timers(): ApprovalTimers | undefined;
  kill: KillSwitch;
  audit(): AuditLog | null;
  write(entry: AuditEntry): void;
  /** Milliseconds since the epoch, for the request's requested_at and expires_at (default Date.now). */
  clock?(): number;
  /** The key PII in arguments is hashed with, for the arguments shown to approvers when nothing is audited. */
  piiKey?(): PiiKey | undefined;
}

/**
 * What the guard hands the approver: the v0 request plus the session, the approver groups and why the
 * call needs approval (the static tier/approval, or the flow rule, condition or budget that asked).
 */
export interface GuardApprovalRequest extends ApprovalRequest {
  session: string;
  approvers: string[];
  rule: DecisionRule;
  reason: string;
}

/** `auditedArgs`: the call's arguments as the decision record holds them (already redacted). */
export async function awaitApproval(
  ctx: ApprovalContext,
  call: ToolCall,
  agent: CompiledAgent,
  tool: CompiledTool,
  asked: Decision,
  auditedArgs: unknown,
): Promise<FinalDecision> {
  const approver = ctx.approver();
  const timeoutMs = tool.approvalTimeoutMs;
  let final: FinalDecision;
  let outcome: string;
  let approverName: string | undefined;
  // one id for the request, in this record and in the approval service's records of it
  const requestId = newApprovalId();
  if (approver === undefined || timeoutMs === undefined) {
    outcome = approver === undefined ? "no_approver" : "rejected";
    final = {
      outcome: "deny",
      rule: "approval",
      reason:
        approver === undefined
          ? `${call.tool} needs approval and no approver is configured`
          : `${call.tool} needs approval but the bundle gives no approval timeout`,
      approval: approver === undefined ? "no_approver" : "rejected",
    };
  } else {
    const requestedAt = ctx.clock?.() ?? Date.now();
    const req: GuardApprovalRequest = {
      agent: call.agent,
      tool: call.tool,
      args: call.args,
      tier: tool.tool.tier,
      session: call.session,
      approvers: tool.tool.approval?.approvers ?? [],
      rule: asked.rule,
      reason: asked.reason,
      id: requestId,
      groups: tool.tool.approval?.approvers ?? [],
      requestedAt,
      expiresAt: requestedAt + timeoutMs,
      argsDigest: approvalArgsDigest(call.args),
      shownArgs: auditedArgs !== undefined || call.args === undefined ? auditedArgs : redactArgs(call.args, agent.pii, ctx.piiKey?.()),
      why: asked.reason,
      reversal: tool.tool.reversal,
    };
    if (call.reasoning !== undefined) req.reasoning = call.reasoning;
    const answer = await requestApproval(approver, req, timeoutMs, ctx.timers(), call.signal);
    approverName = answer.approver;
    outcome =
      answer.reason === "approved" || answer.reason === "timeout" || answer.reason === "withdrawn" || answer.reason === "no_approver"
        ? answer.reason
        : "rejected";
    const who = answer.approver ? ` by ${answer.approver}` : "";
    const isolated = answer.approved ? ctx.kill.isolation(call.agent) : undefined;
    const failure = answer.approved ? ctx.audit()?.failure : undefined;
    if (isolated !== undefined) {
      outcome = "rejected";
      final = withApprover(
        {
          outcome: "deny",
          rule: "isolated",
          reason: `approved${who}, but ${agent.name} was isolated while waiting (${isolated.reason})`,
          approval: answer.reason,
        },
        approverName,
      );
    } else if (failure !== undefined) {
      // the approval could not be recorded: an action nobody can later account for does not happen
      outcome = "rejected";
      final = withApprover(
        {
          outcome: "deny",
          rule: "audit_failure",
          reason: `approved${who}, but the audit log failed while waiting (${failure.message})`,
          approval: answer.reason,
        },
        approverName,
      );
    } else if (answer.approved) {
      final = {
        outcome: "allow",
        rule: "approval",
        reason: `approved${who}${answer.note ? `: ${answer.note}` : ""}`,
        approval: "approved",
        approver: answer.approver!,
      };
    } else {
      const why =
        answer.reason === "timeout"
          ? `no answer within ${timeoutMs / 1000}s: rejected (never auto-approved)`
          : answer.reason === "error"
            ? `the approver failed (${answer.error}): rejected`
            : answer.reason === "withdrawn"
              ? `the request was withdrawn before it was decided${answer.note ? ` (${answer.note})` : ""}: it never runs`
              : answer.reason === "no_approver"
                ? `nobody may approve ${call.tool}${answer.note ? ` (${answer.note})` : ""}: refused`
                : `rejected${who}${answer.note ? `: ${answer.note}` : ""}`;
      final = withApprover({ outcome: "deny", rule: "approval", reason: why, approval: answer.reason }, approverName);
    }
  }
  if (ctx.audit() !== null) {
    const entry: AuditEntry = {
      agent: call.agent,
      session: call.session,
      event: "approval",
      trace: [
        { rule: final.rule, reason: final.reason },
        { rule: "approval.request", reason: requestId },
      ],
      action: { tool: call.tool, args: auditedArgs },
      outcome,
    };
    if (call.reasoning !== undefined) entry.inputHash = sha256Tagged(call.reasoning);
    if (approverName !== undefined) entry.approver = approverName;
    ctx.write(entry);
  }
  return { ...final, approvalId: requestId };
}

/** The denial with `approver` set when the answer named one (the field is absent otherwise). */
function withApprover(
  d: { outcome: "deny"; rule: DecisionRule; reason: string; approval: ApprovalReason },
  approver: string | undefined,
): FinalDecision {
  return approver ? { ...d, approver } : d;
}
