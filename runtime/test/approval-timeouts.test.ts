import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LATE_ANSWER_GRACE_MS, requestApproval } from "../src/approval/index.js";
import type { ApprovalRequest, Approver } from "../src/approval/index.js";

const req: ApprovalRequest = { agent: "procurement-assistant-v2", tool: "createDraftPO", args: { amount: 1200 }, tier: "high" };

describe("requestApproval", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes an explicit approval through with the approver's identity", async () => {
    const approver: Approver = async () => ({ approved: true, approver: "procurement-leads/carol", note: "ok" });
    await expect(requestApproval(approver, req, 15 * 60_000)).resolves.toEqual({
      approved: true,
      approver: "procurement-leads/carol",
      note: "ok",
      reason: "approved",
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes a rejection through", async () => {
    const approver: Approver = async () => ({ approved: false, approver: "dave" });
    await expect(requestApproval(approver, req, 1000)).resolves.toMatchObject({ approved: false, approver: "dave", reason: "rejected" });
  });

  it("treats a timeout as a rejection, aborts the prompt and ignores a late yes", async () => {
    let signal: AbortSignal | undefined;
    let answer!: (v: { approved: boolean; approver: string }) => void;
    const approver: Approver = (_r, ctx) => {
      signal = ctx?.signal;
      return new Promise((resolve) => (answer = resolve));
    };
    const outcome = requestApproval(approver, req, 15 * 60_000);
    await vi.advanceTimersByTimeAsync(15 * 60_000 - 1);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    answer({ approved: true, approver: "late" });
    await expect(outcome).resolves.toEqual({ approved: false, reason: "timeout" });
    expect(signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("after the deadline, counts an answer of a listening approver only when it was decided in time", async () => {
    const timed: ApprovalRequest = { ...req, requestedAt: 0, expiresAt: 60_000 };
    const ask = (answer: Record<string, unknown> | undefined) => {
      const approver: Approver = (_r, ctx) =>
        new Promise((resolve) => {
          // told "expired", it looks the request up in its (shared) state and says how it ended
          ctx!.signal.addEventListener("abort", () => {
            if (answer) resolve(answer as never);
          });
        });
      return requestApproval(approver, timed, 60_000);
    };
    const inTime = ask({ approved: true, approver: "alice", status: "approved", decidedAt: 59_999 });
    const tooLate = ask({ approved: true, approver: "alice", status: "approved", decidedAt: 60_001 });
    const undated = ask({ approved: true, approver: "alice" });
    const expired = ask({ approved: false, approver: "", status: "expired" });
    const silent = ask(undefined);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(inTime).resolves.toMatchObject({ approved: true, approver: "alice", reason: "approved" });
    await expect(tooLate).resolves.toEqual({ approved: false, reason: "timeout" });
    await expect(undated).resolves.toEqual({ approved: false, reason: "timeout" });
    await expect(expired).resolves.toMatchObject({ approved: false, reason: "timeout" });
    // an approver that listens but never says gets LATE_ANSWER_GRACE_MS, then it is a timeout
    let done = false;
    void silent.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(LATE_ANSWER_GRACE_MS - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(silent).resolves.toEqual({ approved: false, reason: "timeout" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("treats a zero, negative or NaN timeout as an immediate timeout", async () => {
    const approver = vi.fn<Approver>(async () => ({ approved: true, approver: "x" }));
    for (const t of [0, -5, NaN])
      await expect(requestApproval(approver, req, t)).resolves.toMatchObject({ approved: false, reason: "timeout" });
    expect(approver).not.toHaveBeenCalled();
  });

  it("treats a throwing or failing approver as a rejection and clears the timer", async () => {
    const sync: Approver = () => {
      throw new Error("queue down");
    };
    const async: Approver = async () => Promise.reject(new Error("503"));
    await expect(requestApproval(sync, req, 1000)).resolves.toEqual({ approved: false, reason: "error", error: "queue down" });
    await expect(requestApproval(async, req, 1000)).resolves.toEqual({ approved: false, reason: "error", error: "503" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("accepts only a literal true from a named approver", async () => {
    const truthy = (async () => ({ approved: "yes", approver: "x" })) as unknown as Approver;
    const anonymous = (async () => ({ approved: true })) as unknown as Approver;
    const nothing = (async () => undefined) as unknown as Approver;
    await expect(requestApproval(truthy, req, 1000)).resolves.toMatchObject({ approved: false, reason: "rejected" });
    await expect(requestApproval(anonymous, req, 1000)).resolves.toMatchObject({ approved: false, reason: "error" });
    await expect(requestApproval(nothing, req, 1000)).resolves.toMatchObject({ approved: false, reason: "error" });
  });

  it("uses an injected clock", async () => {
    vi.useRealTimers();
    let fire: (() => void) | undefined;
    const cleared: unknown[] = [];
    const timers = {
      setTimeout: (fn: () => void) => {
        fire = fn;
        return 7;
      },
      clearTimeout: (h: unknown) => void cleared.push(h),
    };
    const outcome = requestApproval(() => new Promise(() => {}), req, 1000, timers);
    fire!();
    await expect(outcome).resolves.toMatchObject({ reason: "timeout" });
    expect(cleared).toEqual([7]);
  });
});
