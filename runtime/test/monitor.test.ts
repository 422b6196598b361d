import { describe, expect, it } from "vitest";
import { buildBaseline, parseBaseline, type MonitorAlert } from "../src/index.js";
import { compileText, makeGuard, MINI } from "../../test/support/runtime-fixtures.js";

const mini = compileText(MINI);

/** A supervised period: 20 sessions of lookup → free → lookup, one every 10 minutes. */
function supervisedLog(): string {
  const { guard, clock, sink } = makeGuard(mini);
  for (let s = 0; s < 20; s++) {
    for (const [tool, args] of [
      ["lookup", { id: "A1" }],
      ["free", { q: "status of order" }],
      ["lookup", { id: "B2" }],
    ] as const) {
      expect(guard.decide({ agent: "helper", session: `sup-${s}`, tool, args }).outcome).toBe("allow");
      clock.now += 200_000;
    }
  }
  return sink.text();
}

describe("baseline", () => {
  const built = buildBaseline(supervisedLog());

  it("learns per-tool rates, session volume and n-grams from an audit log", () => {
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const b = built.baseline;
    expect(parseBaseline(JSON.parse(JSON.stringify(b))).ok).toBe(true);
    expect(b.agents.helper!.tools.lookup!.calls).toBe(40);
    expect(b.agents.helper!.tools.free!.calls).toBe(20);
    expect(b.agents.helper!.sessions.count).toBe(20);
    expect(b.agents.helper!.sequences).toContainEqual(["^", "^", "lookup"]);
    expect(b.agents.helper!.sequences).toContainEqual(["lookup", "free", "lookup"]);
  });

  it("refuses what is not a baseline and a log with no calls", () => {
    expect(parseBaseline({ format: "charter-baseline/1" }).ok).toBe(false);
    expect(buildBaseline("").ok).toBe(false);
  });

  const withBaseline = () => {
    const alerts: MonitorAlert[] = [];
    const g = makeGuard(mini, { baseline: built.ok ? built.baseline : undefined, alerts: (a) => alerts.push(a) });
    return { ...g, alerts };
  };

  it("raises nothing for behaviour like the baseline's", () => {
    const { guard, alerts, clock } = withBaseline();
    for (const [tool, args] of [
      ["lookup", { id: "A1" }],
      ["free", { q: "x" }],
      ["lookup", { id: "B2" }],
    ] as const) {
      guard.decide({ agent: "helper", session: "normal", tool, args });
      clock.now += 200_000;
    }
    expect(alerts).toEqual([]);
  });

  it("alerts on a novel tool sequence, as an audit event too", () => {
    const { guard, alerts, sink } = withBaseline();
    const d = guard.decide({ agent: "helper", session: "odd", tool: "mail", args: { to: "a@acme.io", body: "hi" } });
    expect(d.outcome).toBe("allow"); // the rule says alert, not block
    expect(alerts.map((a) => a.kind)).toContain("novel_sequence");
    expect(alerts.find((a) => a.kind === "novel_sequence")).toMatchObject({
      severity: "medium",
      action: "alert",
      agent: "helper",
      session: "odd",
    });
    expect(sink.records.some((r) => r.event === "alert" && r.guardrail?.[0]?.kind === "novel_sequence")).toBe(true);
  });

  it("alerts when a tool's rate exceeds multiplier × baseline within the window", () => {
    const { guard, alerts } = withBaseline();
    // baseline: 40 lookups over ~3.3h → ~2 per 5 min; 2.0x → limit 4 in 5m (the policy's own rate is 3/min)
    for (let i = 0; i < 3; i++) guard.decide({ agent: "helper", session: "burst", tool: "free", args: {} });
    expect(alerts.filter((a) => a.kind === "tool_rate")).toHaveLength(1);
    expect(alerts.find((a) => a.kind === "tool_rate")).toMatchObject({ severity: "high", tool: "free" });
  });

  it("alerts when a session's data volume passes multiplier × the baseline mean", () => {
    const { guard, alerts } = withBaseline();
    guard.decide({ agent: "helper", session: "bulk", tool: "free", args: { blob: "x".repeat(5000) } });
    expect(alerts.find((a) => a.kind === "data_volume")).toMatchObject({ severity: "medium" });
  });

  it("`block` monitor rules deny the call", () => {
    const blocking = compileText(
      MINI.replace("novel_sequence >= 0.85                      => alert medium", "novel_sequence >= 0.85 => block"),
    );
    const { guard } = makeGuard(blocking, { baseline: built.ok ? built.baseline : undefined });
    expect(guard.decide({ agent: "helper", session: "odd", tool: "mail", args: { to: "a@acme.io", body: "hi" } })).toMatchObject({
      outcome: "deny",
      rule: "monitor",
    });
  });

  it("external_domain needs no baseline: an argument pointing outside the allowlist is blocked", () => {
    const { guard, sink } = makeGuard(mini);
    expect(guard.decide({ agent: "helper", session: "s", tool: "free", args: { note: "see https://evil.example/x" } })).toMatchObject({
      outcome: "deny",
      rule: "monitor",
    });
    expect(guard.decide({ agent: "helper", session: "s", tool: "free", args: { note: "cc eve@evil.example please" } })).toMatchObject({
      outcome: "deny",
      rule: "monitor",
    });
    expect(
      guard.decide({ agent: "helper", session: "s", tool: "free", args: { note: "see https://docs.acme.io/x and bob@acme.io" } }).outcome,
    ).toBe("allow");
    expect(sink.records.filter((r) => r.event === "alert" && r.outcome === "blocked")).toHaveLength(2);
  });
});
