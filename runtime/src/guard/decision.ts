// The shapes of a call and of the guard's answer. A decision always names the rule that decided it and a
// reason in the policy's words; the same words go into the audit record's trace.
import type { ApprovalReason } from "../approval/request-approval.js";

export interface ToolCall {
  agent: string;
  /** The conversation or task the call belongs to: rate windows are per agent, sequences per session. */
  session: string;
  tool: string;
  args?: unknown;
  /** The agent's stated reasoning; shown to the approver, recorded only as a hash. */
  reasoning?: string;
  /** For a `talks_to` call: the agent whose interface `tool` is, when several links share the name. */
  target?: string;
  /** Aborts when the client cancels the call or goes away: a pending approval is then withdrawn. */
  signal?: AbortSignal;
}

export type DecisionRule =
  | "isolated"
  | "unknown_agent"
  | "denied"
  | "not_granted"
  | "talks_to"
  | "args"
  | "rate"
  | "monitor"
  | "approval"
  | "granted"
  | "audit_failure"
  /** the shared state store (Redis) could not be reached: fail closed */
  | "state_unavailable"
  /** the tool server's definition of a pinned tool no longer matches the policy's `pin` (the gateway) */
  | "pin"
  /** `rate N per session` used up */
  | "session_rate"
  /** a write would plant text its store's source would refuse (memory poisoning, spec §4) */
  | "memory_poisoning"
  /** `after LEVEL` / `after TOOL` */
  | "flow"
  /** `when ARG from LEVEL` */
  | "provenance"
  /** `when ARG outside C` */
  | "outside"
  /** `budget ARG N per …` */
  | "budget";

export interface Decision {
  readonly outcome: "allow" | "deny" | "needs_approval";
  readonly rule: DecisionRule;
  readonly reason: string;
  /** After an approval step: who answered, and how it ended. */
  readonly approver?: string;
  readonly approval?: ApprovalReason;
  /** After an approval step: the id of the approval request (in both audit logs). */
  readonly approvalId?: string;
  /** `mode monitor`: false when the decision was computed and recorded but not applied */
  readonly enforced?: boolean;
  /** In `mode monitor`: what the policy decided, when the call was let through anyway. */
  readonly wouldBe?: "deny" | "needs_approval";
}

/** What `authorize` resolves to: the approval step has run, so there is no `needs_approval`. */
export interface FinalDecision extends Decision {
  readonly outcome: "allow" | "deny";
}
