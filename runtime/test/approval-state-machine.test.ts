// The pending-request state machine: every request ends exactly once, in the status the first effective
// event decides, and a call runs only after `approved`. Unit cases name the races; two fast-check
// properties drive random interleavings, one against the book alone (with a reference model) and one
// through a real Guard whose approver is the approval service.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog, MemoryAuditSink, createGuard, type ApprovalTimers } from "../src/index.js";
import {
  PendingApprovals,
  approvalArgsDigest,
  createApprovalService,
  type ApprovalRequestRecord,
  type Decider,
  type OpenRequest,
} from "../src/approval/index.js";
import { DOCS_POLICY, compilePolicy, docsDirectory } from "./approval-fixtures.js";

const alice: Decider = { name: "alice", groups: ["docs-leads"] };
const bob: Decider = { name: "bob", groups: ["docs-leads", "security-leads"] };
const mallory: Decider = { name: "mallory-not-a-lead", groups: ["marketing"] };
const T0 = Date.UTC(2026, 11, 1, 12);
const TERMINAL = ["approved", "rejected", "expired", "withdrawn", "no_approver"];

/** Timers the test fires by hand, in the order they were set. */
function manualTimers(): ApprovalTimers & { fireAll(): void; count(): number } {
  const due = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (fn) => {
      due.set(next, fn);
      return next++;
    },
    clearTimeout: (h) => void due.delete(h as number),
    fireAll() {
      for (const [h, fn] of [...due]) {
        due.delete(h);
        fn();
      }
    },
    count: () => due.size,
  };
}

function request(id = "apr_test", args: unknown = { slug: "release-notes", contact: "jo@example.com" }): OpenRequest {
  return {
    id,
    agent: "docs-bot",
    session: "s1",
    tool: "publishPage",
    args,
    argsDigest: approvalArgsDigest(args),
    shownArgs: args,
    reasoning: "the release is out",
    tier: "high",
    groups: ["docs-leads"],
    requestedAt: T0,
    expiresAt: T0 + 120_000,
  };
}

function book(isolated = new Set<string>()) {
  const sink = new MemoryAuditSink();
  const clock = { now: T0 };
  const timers = manualTimers();
  const b = new PendingApprovals({
    audit: new AuditLog(sink, { clock: () => clock.now }),
    clock: () => clock.now,
    timers,
    isIsolated: (a) => isolated.has(a),
  });
  return { b, sink, clock, timers };
}

const endRecords = (sink: MemoryAuditSink, id: string) =>
  sink.records.filter(
    (r) => r.event === "approval" && TERMINAL.includes(r.outcome) && r.trace.some((t) => t.rule === "approval.request" && t.reason === id),
  );

describe("pending approvals: the races, one by one", () => {
  it("an approval from a member of the tool's group ends the request once, audited with id and approver", async () => {
    const { b, sink } = book();
    const { settled } = b.openRequest(request());
    expect(b.decide("apr_test", alice, "approve", "looks right")).toMatchObject({ ok: true });
    const ended = await settled;
    expect(ended).toMatchObject({ status: "approved", approver: "alice", comment: "looks right" });
    expect(sink.records.map((r) => r.outcome)).toEqual(["pending", "approved"]);
    expect(sink.records[1]).toMatchObject({
      event: "approval",
      approver: "alice",
      agent: "docs-bot",
      session: "s1",
      action: { tool: "publishPage" },
    });
    expect(sink.records[1]!.trace).toContainEqual({ rule: "approval.request", reason: "apr_test" });
  });

  it("refuses and audits an approver outside the groups; the request stays pending", () => {
    const { b, sink } = book();
    b.openRequest(request());
    expect(b.decide("apr_test", mallory, "approve")).toMatchObject({ ok: false, code: "forbidden" });
    expect(b.get("apr_test")!.status).toBe("pending");
    expect(sink.records.at(-1)).toMatchObject({ outcome: "forbidden", approver: "mallory-not-a-lead" });
  });

  it("approve and reject at the same moment: the first wins, the second is not pending", async () => {
    const { b, sink } = book();
    const { settled } = b.openRequest(request());
    const first = b.decide("apr_test", alice, "reject", "wrong page");
    const second = b.decide("apr_test", bob, "approve");
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: false, code: "not_pending" });
    expect((await settled).status).toBe("rejected");
    expect(endRecords(sink, "apr_test")).toHaveLength(1);
  });

  it("two approvers approving: one approval, one 409", () => {
    const { b } = book();
    b.openRequest(request());
    expect(b.decide("apr_test", alice, "approve").ok).toBe(true);
    expect(b.decide("apr_test", bob, "approve")).toMatchObject({ ok: false, code: "not_pending" });
    expect(b.get("apr_test")).toMatchObject({ status: "approved", approver: "alice" });
  });

  it("an approval at the deadline, before the timer's turn, is too late: expired", async () => {
    const { b, clock, timers } = book();
    const { settled } = b.openRequest(request());
    clock.now = T0 + 120_000;
    expect(b.decide("apr_test", alice, "approve")).toMatchObject({ ok: false, code: "not_pending" });
    expect((await settled).status).toBe("expired");
    expect(timers.count()).toBe(0);
    clock.now = T0 + 119_999;
    b.openRequest(request("apr_two"));
    expect(b.decide("apr_two", alice, "approve").ok).toBe(true);
  });

  it("an approval for other arguments than those shown is refused and changes nothing", () => {
    const { b } = book();
    b.openRequest(request());
    expect(b.decide("apr_test", alice, "approve", undefined, approvalArgsDigest({ slug: "other" }))).toMatchObject({
      ok: false,
      code: "args_changed",
    });
    expect(b.decide("apr_test", alice, "approve", undefined, approvalArgsDigest(request().args)).ok).toBe(true);
  });

  it("an agent isolated while waiting: an approval withdraws the request instead", async () => {
    const isolated = new Set<string>();
    const { b } = book(isolated);
    const { settled } = b.openRequest(request());
    isolated.add("docs-bot");
    expect(b.decide("apr_test", alice, "approve")).toMatchObject({ ok: false, code: "not_pending" });
    expect(await settled).toMatchObject({ status: "withdrawn", endReason: expect.stringMatching(/isolated/) });
  });

  it("unknown ids are not found; ended ones are not pending; a withdrawn one ignores a late approval", () => {
    const { b } = book();
    b.openRequest(request());
    expect(b.decide("apr_nope", alice, "approve")).toMatchObject({ ok: false, code: "not_found" });
    expect(b.withdraw("apr_test", "the client cancelled")).toBe(true);
    expect(b.withdraw("apr_test", "again")).toBe(false);
    expect(b.expire("apr_test")).toBe(false);
    expect(b.decide("apr_test", alice, "approve")).toMatchObject({ ok: false, code: "not_pending" });
    expect(b.get("apr_test")!.status).toBe("withdrawn");
  });

  it("lists pending requests only to approvers who may decide them", () => {
    const { b } = book();
    b.openRequest(request());
    expect(b.pending(alice).map((r) => r.id)).toEqual(["apr_test"]);
    expect(b.pending(mallory)).toEqual([]);
  });
});

type Op =
  | { kind: "approve"; who: 0 | 1 | 2 }
  | { kind: "reject"; who: 0 | 1 | 2 }
  | { kind: "expire" }
  | { kind: "deadline" }
  | { kind: "cancel" }
  | { kind: "isolate" }
  | { kind: "shutdown" };

const deciders = [alice, bob, mallory];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("approve" as const), who: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
  fc.record({ kind: fc.constant("reject" as const), who: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
  fc.constant({ kind: "expire" as const }),
  fc.constant({ kind: "deadline" as const }),
  fc.constant({ kind: "cancel" as const }),
  fc.constant({ kind: "isolate" as const }),
  fc.constant({ kind: "shutdown" as const }),
);

/** The reference: the first event that can end the request decides how it ends. */
function expectedEnd(ops: Op[]): string {
  let isolated = false;
  let pastDeadline = false;
  for (const op of ops) {
    if (op.kind === "isolate") {
      isolated = true;
      continue;
    }
    if (op.kind === "deadline") {
      pastDeadline = true;
      continue;
    }
    if (op.kind === "expire") return "expired";
    if (op.kind === "cancel" || op.kind === "shutdown") return "withdrawn";
    if (op.who === 2) continue; // outside the groups: refused, changes nothing
    if (pastDeadline) return "expired";
    if (op.kind === "reject") return "rejected";
    return isolated ? "withdrawn" : "approved";
  }
  return "expired"; // nothing ended it: the deadline does
}

describe("pending approvals: every interleaving ends in exactly one status", () => {
  it("matches the reference model, settles once, audits one end", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 12 }), async (ops) => {
        const isolated = new Set<string>();
        const { b, sink, clock, timers } = book(isolated);
        const { settled } = b.openRequest(request());
        let settles = 0;
        void settled.then(() => settles++);
        for (const op of ops) {
          if (op.kind === "approve" || op.kind === "reject") b.decide("apr_test", deciders[op.who]!, op.kind);
          else if (op.kind === "expire") timers.fireAll();
          else if (op.kind === "deadline") clock.now = T0 + 120_000;
          else if (op.kind === "cancel") b.withdraw("apr_test", "cancelled");
          else if (op.kind === "isolate") isolated.add("docs-bot");
          else b.withdrawWhere(() => true, "shutdown");
        }
        timers.fireAll();
        const ended = await settled;
        await Promise.resolve();
        expect(ended.status).toBe(expectedEnd(ops));
        expect(settles).toBe(1);
        expect(endRecords(sink, "apr_test")).toHaveLength(1);
        expect(endRecords(sink, "apr_test")[0]!.outcome).toBe(ended.status);
        if (ended.status === "approved" || ended.status === "rejected") expect(["alice", "bob"]).toContain(ended.approver);
        else expect(ended.approver).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe("through a real Guard: a call runs only after approved", () => {
  const bundle = compilePolicy(DOCS_POLICY);
  const guardOutcome: Record<string, string> = { approved: "approved", rejected: "rejected", expired: "timeout", withdrawn: "withdrawn" };

  it("for every interleaving of approve, reject, expiry, cancellation, isolation and shutdown", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(opArb, fc.nat(3)), { maxLength: 10 }), async (steps) => {
        const sink = new MemoryAuditSink();
        const audit = new AuditLog(sink);
        const clock = { now: T0 };
        const timers = manualTimers();
        const guard = createGuard(bundle, {
          audit,
          clock: () => clock.now,
          approvalTimers: timers,
          approver: (r, c) => service.approver(r, c),
        });
        const service = createApprovalService({
          directory: docsDirectory(),
          audit,
          guard,
          clock: () => clock.now,
          timers,
          onError: () => {},
        });
        const client = new AbortController();
        const args = { slug: "release-notes", contact: "jo@example.com" };
        let runs = 0;
        const call = guard
          .authorize({ agent: "docs-bot", session: "s1", tool: "publishPage", args, reasoning: "release day", signal: client.signal })
          .then((d) => {
            if (d.outcome === "allow") runs++;
            return d;
          });
        await flush(2);
        const [pending] = service.pending();
        expect(pending).toBeDefined();
        const id = pending!.id;
        for (const [op, yields] of steps) {
          if (op.kind === "approve" || op.kind === "reject")
            service.book.decide(id, deciders[op.who]!, op.kind, undefined, pending!.argsDigest);
          else if (op.kind === "expire") timers.fireAll();
          else if (op.kind === "deadline") clock.now = T0 + 120_000;
          else if (op.kind === "cancel") client.abort();
          else if (op.kind === "isolate") {
            guard.isolate("incident", "docs-bot");
            service.withdrawAgent("docs-bot", "isolated");
          } else service.withdrawAll("shutdown");
          await flush(yields);
        }
        timers.fireAll();
        const d = await call;
        const ended = service.get(id)!;
        expect(TERMINAL).toContain(ended.status);
        // a call runs only after `approved`, and then once; an approved call still does not run when the
        // agent was isolated between the approval and the guard's last check
        const isolatedAfterApproval = ended.status === "approved" && d.rule === "isolated";
        if (isolatedAfterApproval) expect(steps.some(([op]) => op.kind === "isolate")).toBe(true);
        expect(runs).toBe(ended.status === "approved" && !isolatedAfterApproval ? 1 : 0);
        expect(d.outcome === "allow").toBe(ended.status === "approved" && !isolatedAfterApproval);
        expect(d.approvalId).toBe(id);
        const guardRecord = sink.records.filter(
          (r) =>
            r.event === "approval" &&
            r.trace.some((t) => t.rule === "approval.request" && t.reason === id) &&
            !r.trace.some((t) => t.rule.startsWith("approval.") && t.rule !== "approval.request"),
        );
        expect(guardRecord).toHaveLength(1);
        expect(guardRecord[0]!.outcome).toBe(isolatedAfterApproval ? "rejected" : guardOutcome[ended.status]);
        expect(endRecords(sink, id).filter((r) => r.trace[0]!.rule.startsWith("approval."))).toHaveLength(1);
        // a late approval changes nothing
        expect(service.book.decide(id, alice, "approve").ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

async function flush(n: number): Promise<void> {
  for (let i = 0; i <= n; i++) await Promise.resolve();
}

export type { ApprovalRequestRecord };
