// Human approval with a deadline. Only an explicit `approved: true` from an approver that names itself is
// an approval; a rejection, a timeout, a withdrawal, a throw or a malformed answer is a refusal, never an
// auto-approval. The timer is always cleared, and an answer arriving after the caller withdrew the request
// through `signal` is ignored. At the deadline an approver that listens to `signal` is told "expired" and
// has the last word for a short grace (LATE_ANSWER_GRACE_MS): an approval service shared by replicas may
// have taken an approval just before the deadline that this process has not heard of yet, and the human
// was told "approved". Such a late answer counts only when it says it was decided in time (`decidedAt` at
// or before the request's `expiresAt`); anything else after the deadline is a timeout.

export type Tier = "low" | "medium" | "high";

export interface ApprovalRequest {
  agent: string;
  tool: string;
  /** The exact arguments the call will run with if it is approved. */
  args: unknown;
  tier: Tier;
  reasoning?: string;
  // The fields below are filled in by the guard; an approver written for the older, smaller request
  // ignores them.
  /** Unguessable id of this request, shared by the guard's and the approval service's audit records. */
  id?: string;
  session?: string;
  /** The tool's `approval { approvers [...] }`: only a member of one of these groups may decide. */
  groups?: string[];
  /** Milliseconds since the epoch. */
  requestedAt?: number;
  expiresAt?: number;
  /** "sha256:…" of the canonical JSON of `args`: an approval is bound to exactly these arguments. */
  argsDigest?: string;
  /** `args` as the audit log shows them (PII hashed or redacted per the policy): what an approver is shown. */
  shownArgs?: unknown;
  /** Why the policy asks for approval, in its words ("createDraftPO is tier high and needs approval by …"). */
  why?: string;
  /** The tool's `reversal` playbook, when the policy names one. */
  reversal?: string | null;
}

/** How a request ended, as the approval service records it. */
export type ApprovalStatus = "approved" | "rejected" | "expired" | "withdrawn" | "no_approver";

export interface ApproverAnswer {
  approved: boolean;
  approver: string;
  note?: string;
  /** The end state; absent means `approved` or `rejected` as `approved` says. */
  status?: ApprovalStatus;
  /** The digest of the arguments the approver saw; when given it must equal the request's. */
  argsDigest?: string;
  /**
   * When the decision was taken (ms since the epoch). An answer that arrives after the deadline is an
   * approval only when this is at or before the request's `expiresAt`.
   */
  decidedAt?: number;
}

/**
 * `signal` aborts when the request times out or the caller withdraws it, so an approver can withdraw its
 * prompt; `signal.reason` is then "expired" or "withdrawn".
 */
export type Approver = (req: ApprovalRequest, context?: { signal: AbortSignal }) => Promise<ApproverAnswer>;

export type ApprovalReason = "approved" | "rejected" | "timeout" | "error" | "withdrawn" | "no_approver";

export interface ApprovalOutcome {
  approved: boolean;
  approver?: string;
  note?: string;
  reason: ApprovalReason;
  /** For "error": what went wrong, in words. */
  error?: string;
}

export interface ApprovalTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: ApprovalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

function judge(answer: unknown, req: ApprovalRequest): ApprovalOutcome {
  if (typeof answer !== "object" || answer === null) {
    return { approved: false, reason: "error", error: "the approver gave no answer" };
  }
  const a = answer as Partial<ApproverAnswer>;
  const note = typeof a.note === "string" ? a.note : undefined;
  // Ends in which nobody decided need no approver's name.
  if (a.status === "expired") return { approved: false, reason: "timeout", ...(note ? { note } : {}) };
  if (a.status === "withdrawn") return { approved: false, reason: "withdrawn", ...(note ? { note } : {}) };
  if (a.status === "no_approver") return { approved: false, reason: "no_approver", ...(note ? { note } : {}) };
  if (typeof a.approver !== "string" || a.approver === "") {
    return { approved: false, reason: "error", error: "the answer does not name its approver" };
  }
  if (a.approved === true && (a.status === undefined || a.status === "approved")) {
    if (a.argsDigest !== undefined && req.argsDigest !== undefined && a.argsDigest !== req.argsDigest) {
      return {
        approved: false,
        approver: a.approver,
        reason: "error",
        error: "the approval was given for other arguments than the call's",
      };
    }
    return { approved: true, approver: a.approver, note, reason: "approved" };
  }
  return { approved: false, approver: a.approver, note, reason: "rejected" };
}

/** Longest delay a Node timer honours; longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * How long an approver that listens to `signal` may take, after the deadline, to say how the request ended.
 * Long enough for a round trip to the shared state, short enough that a call never waits much past its
 * timeout when the approver does not answer.
 */
export const LATE_ANSWER_GRACE_MS = 2_000;

/** The judged answer of an approver that answered after the deadline: an approval only if decided in time. */
function judgeLate(answer: unknown, req: ApprovalRequest): ApprovalOutcome {
  const judged = judge(answer, req);
  if (!judged.approved) return judged;
  const at = (answer as Partial<ApproverAnswer>).decidedAt;
  const inTime = typeof at === "number" && req.expiresAt !== undefined && at <= req.expiresAt;
  return inTime ? judged : { approved: false, reason: "timeout" };
}

/**
 * Asks `approver` about `req` and resolves to its judged answer, or to a timeout after `timeoutMs`, or to
 * `withdrawn` as soon as `withdraw` aborts (the client cancelled or went away): whichever comes first wins,
 * and nothing that arrives later changes it.
 */
export function requestApproval(
  approver: Approver,
  req: ApprovalRequest,
  timeoutMs: number,
  timers: ApprovalTimers = realTimers,
  withdraw?: AbortSignal,
): Promise<ApprovalOutcome> {
  if (withdraw?.aborted) return Promise.resolve({ approved: false, reason: "withdrawn" });
  if (!(timeoutMs > 0)) return Promise.resolve({ approved: false, reason: "timeout" });
  return new Promise<ApprovalOutcome>((resolve) => {
    // The AbortController is made only when the approver reads `signal`: in Node 20 creating one costs
    // more than the rest of an approval, and most approvers never look at it. A read after the end
    // gets a signal that is already aborted, so the signal means the same thing whenever it is read.
    // (An own getter, not a class: an approver that spreads or copies its context still gets `signal`.)
    let controller: AbortController | undefined;
    let ended: "expired" | "withdrawn" | undefined;
    const context = {
      get signal(): AbortSignal {
        if (controller === undefined) {
          controller = new AbortController();
          if (ended !== undefined) controller.abort(ended);
        }
        return controller.signal;
      },
    };
    let settled = false;
    let handle: unknown;
    /** The deadline passed and the listening approver was told: its answer is judged by judgeLate. */
    let late = false;
    let graceHandle: unknown;
    const onWithdraw = (): void => {
      ended ??= "withdrawn";
      settle({ approved: false, reason: "withdrawn" });
      controller?.abort("withdrawn");
    };
    const settle = (outcome: ApprovalOutcome): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(handle);
      if (graceHandle !== undefined) timers.clearTimeout(graceHandle);
      withdraw?.removeEventListener("abort", onWithdraw);
      resolve(outcome);
    };
    handle = timers.setTimeout(
      () => {
        ended ??= "expired";
        if (controller === undefined) {
          // the approver never looked at the signal: it cannot know more than the deadline does
          settle({ approved: false, reason: "timeout" });
          return;
        }
        late = true;
        graceHandle = timers.setTimeout(() => settle({ approved: false, reason: "timeout" }), LATE_ANSWER_GRACE_MS);
        controller.abort("expired");
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
    withdraw?.addEventListener("abort", onWithdraw, { once: true });
    let pending: Promise<ApproverAnswer>;
    try {
      pending = Promise.resolve(approver(req, context));
    } catch (e) {
      settle({ approved: false, reason: "error", error: describe(e) });
      return;
    }
    pending.then(
      (answer) => settle(late ? judgeLate(answer, req) : judge(answer, req)),
      (e) => settle(late ? { approved: false, reason: "timeout" } : { approved: false, reason: "error", error: describe(e) }),
    );
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
