// A reload replaces the guard; the isolations in force are carried over to the new one without being
// recorded again (the incident report counts isolation records), while an isolation that arrives
// through the shared state after binding is recorded as always.
import { checkText } from "@charter/language";
import { describe, expect, it } from "vitest";
import { AuditLog, MemoryAuditSink, MemoryStateStore, bindGuardToState, createGuard } from "../src/index.js";

const checked = checkText(
  `policy p { version 1 owner "o" }
agent a { kind conversational tool t { scope read tier low rate 10 per 1m } }
agent b { kind conversational tool t { scope read tier low rate 10 per 1m } }`,
);
if (!checked.bundle) throw new Error(JSON.stringify(checked.diagnostics));
const bundle = checked.bundle;

describe("isolations across a reload", () => {
  it("the new guard holds the isolation in force without a second record; later ones are recorded", async () => {
    const sink = new MemoryAuditSink();
    const audit = new AuditLog(sink);
    const state = new MemoryStateStore();
    const isolations = () => sink.records.filter((r) => r.event === "isolation" && r.outcome === "isolated").map((r) => r.agent);

    const first = createGuard(bundle, { audit });
    const firstBinding = bindGuardToState(first, state, { audit });
    await state.killSwitch.isolate({ agent: "a", reason: "incident 1" });
    expect(first.isIsolated("a")).toBe(true);
    expect(isolations()).toEqual(["a"]);

    // the reload: a guard for the new bundle, bound as carried
    firstBinding.unbind();
    const second = createGuard(bundle, { audit });
    const binding = bindGuardToState(second, state, { audit, carried: true });
    expect(second.isIsolated("a")).toBe(true);
    expect(second.decide({ agent: "a", tool: "t", args: {}, session: "s" }).outcome).toBe("deny");
    expect(isolations()).toEqual(["a"]);

    // an isolation after the reload is recorded once
    await state.killSwitch.isolate({ agent: "b", reason: "incident 2" });
    expect(second.isIsolated("b")).toBe(true);
    expect(isolations()).toEqual(["a", "b"]);
    binding.unbind();

    // without `carried` (a guard that starts following the store) the isolation is recorded
    const fresh = createGuard(bundle, { audit });
    bindGuardToState(fresh, state, { audit }).unbind();
    expect(isolations()).toEqual(["a", "b", "a", "b"]);
  });
});
