// Human approval with a deadline. Only an explicit `approved: true` from an approver that names itself is
// an approval; a rejection, a timeout, a throw or a malformed answer is a rejection, never an auto-approval.
// The timer is always cleared, and an answer arriving after the deadline is ignored.

export type Tier = "low" | "medium" | "high";

export interface ApprovalRequest {
  agent: string;
  tool: string;
  args: unknown;
  tier: Tier;
  reasoning?: string;
}

export interface ApproverAnswer {
  approved: boolean;
  approver: string;
  note?: string;
}

/** `signal` aborts when the request times out, so an approver can withdraw its prompt. */
export type Approver = (req: ApprovalRequest, context?: { signal: AbortSignal }) => Promise<ApproverAnswer>;

export type ApprovalReason = "approved" | "rejected" | "timeout" | "error";

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

function judge(answer: unknown): ApprovalOutcome {
  if (typeof answer !== "object" || answer === null) {
    return { approved: false, reason: "error", error: "the approver gave no answer" };
  }
  const a = answer as Partial<ApproverAnswer>;
  if (typeof a.approver !== "string" || a.approver === "") {
    return { approved: false, reason: "error", error: "the answer does not name its approver" };
  }
  const note = typeof a.note === "string" ? a.note : undefined;
  if (a.approved === true) return { approved: true, approver: a.approver, note, reason: "approved" };
  return { approved: false, approver: a.approver, note, reason: "rejected" };
}

/** Longest delay a Node timer honours; longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export function requestApproval(
  approver: Approver,
  req: ApprovalRequest,
  timeoutMs: number,
  timers: ApprovalTimers = realTimers,
): Promise<ApprovalOutcome> {
  if (!(timeoutMs > 0)) return Promise.resolve({ approved: false, reason: "timeout" });
  return new Promise<ApprovalOutcome>((resolve) => {
    // The AbortController is made only when the approver reads `signal`: in Node 20 creating one costs
    // more than the rest of an approval, and most approvers never look at it. A read after the deadline
    // gets a signal that is already aborted, so the signal means the same thing whenever it is read.
    // (An own getter, not a class: an approver that spreads or copies its context still gets `signal`.)
    let controller: AbortController | undefined;
    let timedOut = false;
    const context = {
      get signal(): AbortSignal {
        if (controller === undefined) {
          controller = new AbortController();
          if (timedOut) controller.abort();
        }
        return controller.signal;
      },
    };
    let settled = false;
    let handle: unknown;
    const settle = (outcome: ApprovalOutcome): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(handle);
      resolve(outcome);
    };
    handle = timers.setTimeout(() => {
      timedOut = true;
      settle({ approved: false, reason: "timeout" });
      controller?.abort();
    }, Math.min(timeoutMs, MAX_TIMER_MS));
    let pending: Promise<ApproverAnswer>;
    try {
      pending = Promise.resolve(approver(req, context));
    } catch (e) {
      settle({ approved: false, reason: "error", error: describe(e) });
      return;
    }
    pending.then(
      (answer) => settle(judge(answer)),
      (e) => settle({ approved: false, reason: "error", error: describe(e) }),
    );
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
