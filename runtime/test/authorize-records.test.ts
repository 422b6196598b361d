// authorize writes the decision and the approval record from one redaction of the arguments, and keeps
// an async function's failure path: a throw becomes a rejected promise.
import { describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/index.js";
import { approveAs, compileText, makeGuard, MINI } from "../../test/support/runtime-fixtures.js";

const mini = compileText(MINI);

describe("authorize records", () => {
  it("every call is one record, plus one per approval, with the same redacted arguments", async () => {
    const { guard, sink } = makeGuard(mini, { approver: approveAs("alice@leads") });
    const d = await guard.authorize({ agent: "helper", session: "s1", tool: "refund", args: { amount: 100 } });
    expect(d).toMatchObject({ outcome: "allow", approver: "alice@leads" });
    await guard.authorize({ agent: "helper", session: "s1", tool: "lookup", args: { id: "A1" } });
    await guard.authorize({ agent: "helper", session: "s1", tool: "launchMissiles" });
    expect(sink.records.map((r) => `${r.event}:${r.outcome}`)).toEqual([
      "decision:approval_required",
      "approval:approved",
      "decision:allow",
      "decision:deny",
    ]);
    expect(sink.records[1]!.action).toEqual(sink.records[0]!.action);
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true, records: 4 });
  });

  it("returns a rejected promise, not a synchronous throw, when the call cannot be processed", async () => {
    const { guard } = makeGuard(mini);
    const hostile = {
      agent: "helper",
      session: "s1",
      tool: "free",
      args: {
        get boom() {
          throw new Error("getter");
        },
      },
    };
    let threw = false;
    let p: Promise<unknown> | undefined;
    try {
      p = guard.authorize(hostile);
    } catch {
      threw = true;
    }
    expect(threw).toBe(false);
    await expect(p).rejects.toThrow("getter");
  });
});
