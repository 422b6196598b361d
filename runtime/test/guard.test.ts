import { describe, expect, it } from "vitest";
import { verifyAuditLog, type ApprovalTimers } from "../src/index.js";
import { approveAs, compileExample, compileText, makeGuard, MINI, rejectAs } from "../../test/support/runtime-fixtures.js";

const mini = compileText(MINI);
const procurement = compileExample("procurement.charter");
const call = (tool: string, args?: unknown, agent = "helper") => ({ agent, session: "s1", tool, args });

describe("decide: spec §4 order", () => {
  it("allows a granted call within its constraints and records it", () => {
    const { guard, sink } = makeGuard(mini);
    const d = guard.decide(call("lookup", { id: "A1" }));
    expect(d).toMatchObject({ outcome: "allow", rule: "granted" });
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({
      event: "decision",
      outcome: "allow",
      agent: "helper",
      session: "s1",
      action: { tool: "lookup", args: { id: "A1" } },
    });
  });

  it("denies an explicitly denied tool as an audited refusal, before anything else", () => {
    const { guard, sink } = makeGuard(mini);
    const d = guard.decide(call("wipe", { anything: 1 }));
    expect(d).toMatchObject({ outcome: "deny", rule: "denied" });
    expect(d.reason).toContain("explicit refusal");
    expect(sink.records[0]).toMatchObject({ outcome: "deny", trace: [{ rule: "denied" }] });
  });

  it("denies what is not granted (default deny), and unknown agents", () => {
    const { guard } = makeGuard(mini);
    expect(guard.decide(call("launchMissiles"))).toMatchObject({ outcome: "deny", rule: "not_granted" });
    expect(guard.decide(call("run"))).toMatchObject({ outcome: "deny", rule: "not_granted" }); // worker's tool, not helper's
    expect(guard.decide(call("lookup", { id: "1" }, "ghost"))).toMatchObject({ outcome: "deny", rule: "unknown_agent" });
  });

  it("refuses undeclared arguments (closed world), missing ones and wrong types", () => {
    const { guard } = makeGuard(mini);
    expect(guard.decide(call("lookup", { id: "A1", admin: true }))).toMatchObject({ outcome: "deny", rule: "args" });
    expect(guard.decide(call("lookup", {}))).toMatchObject({ outcome: "deny", rule: "args" });
    expect(guard.decide(call("lookup", "A1"))).toMatchObject({ outcome: "deny", rule: "args" });
    expect(guard.decide(call("lookup", { id: "TOOLONG" })).reason).toContain("string max 5");
    expect(guard.decide(call("free", { whatever: [1, 2, 3] }))).toMatchObject({ outcome: "allow" });
  });

  it("matches e-mail and URL domains by whole label", () => {
    const { guard } = makeGuard(mini);
    const mail = (to: string) => guard.decide(call("mail", { to, body: "hi" })).outcome;
    expect(mail("bob@acme.io")).toBe("allow");
    expect(mail("bob@sub.acme.io")).toBe("allow");
    expect(mail("bob@ACME.IO")).toBe("allow");
    expect(mail("bob@acme.io.evil.com")).toBe("deny");
    expect(mail("bob@evilacme.io")).toBe("deny");
    expect(mail("eve@evil.com,bob@acme.io")).toBe("deny");
    const fetch = (url: string) => guard.decide(call("fetch", { url })).outcome;
    expect(fetch("https://docs.acme.io/x?y=1")).toBe("allow");
    expect(fetch("https://acme.io.evil.com/")).toBe("deny");
    expect(fetch("https://acme.io@evil.com/")).toBe("deny");
    expect(fetch("javascript:alert(1)")).toBe("deny");
  });

  it("checks one of, subset of, number ranges, and lets `any` be omitted", () => {
    const { guard } = makeGuard(mini);
    const pick = (args: object) => guard.decide(call("pick", args)).outcome;
    const ok = { color: "red", tags: ["a"], n: 3, m: 5 };
    expect(pick(ok)).toBe("allow");
    expect(pick({ ...ok, extra: { deep: [1] } })).toBe("allow");
    expect(pick({ ...ok, color: 2 })).toBe("allow");
    expect(pick({ ...ok, color: "2" })).toBe("deny");
    expect(pick({ ...ok, tags: ["a", "c"] })).toBe("deny");
    expect(pick({ ...ok, tags: "a" })).toBe("deny");
    expect(pick({ ...ok, tags: [] })).toBe("allow");
    expect(pick({ ...ok, n: 0 })).toBe("deny");
    expect(pick({ ...ok, n: 11 })).toBe("deny");
    expect(pick({ ...ok, n: "3" })).toBe("deny");
    expect(pick({ ...ok, m: 5.5 })).toBe("deny");
    expect(pick({ ...ok, m: Number.NaN })).toBe("deny");
  });

  it("applies the rate limit as a sliding window per agent and tool", () => {
    const { guard, clock } = makeGuard(mini);
    for (let i = 0; i < 3; i++) expect(guard.decide(call("lookup", { id: "1" })).outcome).toBe("allow");
    expect(guard.decide(call("lookup", { id: "1" }))).toMatchObject({ outcome: "deny", rule: "rate" });
    // a different tool has its own window
    expect(guard.decide(call("free")).outcome).toBe("allow");
    clock.now += 60_000;
    expect(guard.decide(call("lookup", { id: "1" })).outcome).toBe("allow");
  });

  it("checks arguments before counting the call against the rate", () => {
    const { guard } = makeGuard(mini);
    for (let i = 0; i < 5; i++) guard.decide(call("lookup", { id: "way too long" }));
    expect(guard.decide(call("lookup", { id: "1" })).outcome).toBe("allow");
  });

  it("asks for approval on every high-tier tool and on tools that declare approval", () => {
    const { guard } = makeGuard(procurement);
    const p = (tool: string, args?: unknown) => guard.decide({ agent: "procurement-assistant-v2", session: "s", tool, args }).outcome;
    expect(p("createDraftPO", { amount: 1 })).toBe("needs_approval");
    expect(p("sendInternalEmail", { to: "a@company.com", subject: "x" })).toBe("needs_approval");
    expect(p("readPurchaseOrders", { department: "own-dept" })).toBe("allow");
  });
});

describe("talks_to", () => {
  it("lets an agent call an interface its link names and the target exposes, and nothing else", () => {
    const { guard } = makeGuard(mini);
    expect(guard.decide(call("work"))).toMatchObject({ outcome: "allow", rule: "talks_to" });
    expect(guard.decide(call("work", undefined, "worker"))).toMatchObject({ outcome: "deny", rule: "not_granted" });
    expect(guard.decide({ ...call("work"), target: "someone-else" })).toMatchObject({ outcome: "deny" });
    expect(guard.decide({ ...call("work"), target: "worker" })).toMatchObject({ outcome: "allow" });
  });
});

describe("authorize: approval", () => {
  const refund = call("refund", { amount: 100 });

  it("allows when the approver approves, and records who approved", async () => {
    const { guard, sink } = makeGuard(mini, { approver: approveAs("alice@leads") });
    const d = await guard.authorize({ ...refund, reasoning: "customer was double charged" });
    expect(d).toMatchObject({ outcome: "allow", rule: "approval", approver: "alice@leads" });
    const approval = sink.records.find((r) => r.event === "approval")!;
    expect(approval).toMatchObject({ outcome: "approved", approver: "alice@leads" });
    expect(approval.inputHash).toMatch(/^sha256:/);
    expect(sink.records[0]).toMatchObject({ event: "decision", outcome: "approval_required" });
  });

  it("denies on rejection, with the approver recorded", async () => {
    const { guard, sink } = makeGuard(mini, { approver: rejectAs("bob@leads") });
    const d = await guard.authorize(refund);
    expect(d).toMatchObject({ outcome: "deny", rule: "approval", approver: "bob@leads", approval: "rejected" });
    expect(sink.records.at(-1)).toMatchObject({ event: "approval", outcome: "rejected", approver: "bob@leads" });
  });

  it("denies when the tool's timeout passes, never auto-approves", async () => {
    let fire: (() => void) | undefined;
    let delay = 0;
    const timers: ApprovalTimers = {
      setTimeout: (fn, ms) => {
        fire = fn;
        delay = ms;
        return 1;
      },
      clearTimeout: () => {},
    };
    const { guard, sink } = makeGuard(mini, { approver: () => new Promise(() => {}), approvalTimers: timers });
    const pending = guard.authorize(refund);
    await Promise.resolve();
    await Promise.resolve();
    expect(delay).toBe(60_000);
    fire!();
    const d = await pending;
    expect(d).toMatchObject({ outcome: "deny", approval: "timeout" });
    expect(sink.records.at(-1)).toMatchObject({ event: "approval", outcome: "timeout" });
  });

  it("denies when the approver throws or answers without naming itself", async () => {
    const thrower = makeGuard(mini, {
      approver: async () => {
        throw new Error("pager down");
      },
    });
    expect(await thrower.guard.authorize(refund)).toMatchObject({ outcome: "deny", approval: "error" });
    const anonymous = makeGuard(mini, { approver: async () => ({ approved: true, approver: "" }) });
    expect(await anonymous.guard.authorize(refund)).toMatchObject({ outcome: "deny" });
  });

  it("denies calls that need approval when no approver is configured", async () => {
    const { guard } = makeGuard(mini);
    expect(await guard.authorize(refund)).toMatchObject({ outcome: "deny", rule: "approval" });
  });

  it("does not ask the approver about a call the policy already refuses", async () => {
    let asked = 0;
    const { guard } = makeGuard(mini, {
      approver: async () => {
        asked++;
        return { approved: true, approver: "x" };
      },
    });
    expect(await guard.authorize(call("refund", { amount: 5000 }))).toMatchObject({ outcome: "deny", rule: "args" });
    expect(asked).toBe(0);
  });

  it("denies an approved call if the agent was isolated while waiting", async () => {
    let answer!: (a: { approved: boolean; approver: string }) => void;
    const { guard } = makeGuard(mini, { approver: () => new Promise((r) => (answer = r)) });
    const pending = guard.authorize(refund);
    await new Promise((r) => setImmediate(r));
    guard.isolate("incident 42", "helper");
    answer({ approved: true, approver: "alice" });
    expect(await pending).toMatchObject({ outcome: "deny", rule: "isolated" });
  });
});

describe("isolation and audit", () => {
  it("isolate() denies every later call and is audited", () => {
    const { guard, sink } = makeGuard(mini);
    expect(guard.decide(call("free")).outcome).toBe("allow");
    guard.isolate("prompt injection suspected");
    expect(guard.decide(call("free"))).toMatchObject({ outcome: "deny", rule: "isolated" });
    expect(guard.decide(call("run", undefined, "worker"))).toMatchObject({ outcome: "deny", rule: "isolated" });
    expect(sink.records.find((r) => r.event === "isolation")).toMatchObject({
      outcome: "isolated",
      trace: [{ reason: "prompt injection suspected" }],
    });
  });

  it("isolating one agent leaves the others working", () => {
    const { guard } = makeGuard(mini);
    guard.isolate("compromised", "helper");
    expect(guard.decide(call("free")).outcome).toBe("deny");
    expect(guard.decide(call("run", undefined, "worker")).outcome).toBe("allow");
  });

  it("hashes PII in audited arguments with `pii hash`, and the chain verifies", () => {
    const { guard, sink } = makeGuard(mini);
    guard.decide(call("mail", { to: "bob@acme.io", body: "call me at +44 20 7946 0958" }));
    const args = sink.records[0]!.action!.args as { to: string; body: string };
    expect(args.to).toMatch(/^\[email:hmac-sha256:[0-9a-f]{32}\]$/);
    expect(args.body).not.toContain("7946");
    expect(sink.text()).not.toContain("bob@acme.io");
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true, records: 1 });
  });

  it("redacts PII with `pii redact`", () => {
    const redacting = compileText(MINI.replace("pii hash", "pii redact"));
    const { guard, sink } = makeGuard(redacting);
    guard.decide(call("mail", { to: "bob@acme.io", body: "x" }));
    expect((sink.records[0]!.action!.args as { to: string }).to).toBe("[REDACTED:email]");
  });

  it("fails closed when the audit sink is losing records", () => {
    const { guard, sink } = makeGuard(mini);
    sink.failure = { kind: "write_failed", message: "disk full" };
    expect(guard.decide(call("free"))).toMatchObject({ outcome: "deny", rule: "audit_failure" });
  });

  it("a guard without an audit log still decides (benchmarks)", () => {
    const { guard } = makeGuard(mini, { audit: null });
    expect(guard.decide(call("free")).outcome).toBe("allow");
  });
});
