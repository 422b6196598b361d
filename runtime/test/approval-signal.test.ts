// The abort signal is made only when the approver reads it; it must still mean "the deadline passed".
import { describe, expect, it } from "vitest";
import { requestApproval } from "../src/approval/index.js";
import type { ApprovalRequest, ApprovalTimers } from "../src/approval/index.js";

const req: ApprovalRequest = { agent: "a", tool: "t", args: {}, tier: "high" };

function manualTimers(): ApprovalTimers & { fire(): void } {
  let fn: (() => void) | undefined;
  return {
    setTimeout: (f) => {
      fn = f;
      return 1;
    },
    clearTimeout: () => {},
    fire: () => fn?.(),
  };
}

describe("requestApproval signal", () => {
  it("a signal read after the deadline is already aborted", async () => {
    const timers = manualTimers();
    let context: { signal: AbortSignal } | undefined;
    const outcome = requestApproval(
      (_r, ctx) => {
        context = ctx;
        return new Promise(() => {});
      },
      req,
      1000,
      timers,
    );
    timers.fire();
    await expect(outcome).resolves.toEqual({ approved: false, reason: "timeout" });
    expect(context!.signal.aborted).toBe(true);
  });

  it("a signal read before the deadline aborts when it passes, and is the same signal each read", async () => {
    const timers = manualTimers();
    let signal: AbortSignal | undefined;
    let again: AbortSignal | undefined;
    const outcome = requestApproval(
      (_r, ctx) => {
        signal = ctx!.signal;
        again = ctx!.signal;
        return new Promise(() => {});
      },
      req,
      1000,
      timers,
    );
    expect(signal!.aborted).toBe(false);
    expect(again).toBe(signal);
    timers.fire(); // the deadline: the listening approver is told, and gets the late-answer grace
    expect(signal!.aborted).toBe(true);
    timers.fire(); // the grace ends without an answer
    await expect(outcome).resolves.toEqual({ approved: false, reason: "timeout" });
  });

  it("an approver that answers without reading the signal is judged as before", async () => {
    await expect(requestApproval(async () => ({ approved: true, approver: "carol" }), req, 1000)).resolves.toMatchObject({
      approved: true,
      approver: "carol",
    });
  });
});

describe("requestApproval context", () => {
  it("an approver that copies its context still gets the signal", async () => {
    let copied: { signal?: AbortSignal } = {};
    await requestApproval(
      async (_r, ctx) => {
        copied = { ...ctx };
        return { approved: true, approver: "x" };
      },
      req,
      1000,
    );
    expect(copied.signal).toBeInstanceOf(AbortSignal);
  });
});
