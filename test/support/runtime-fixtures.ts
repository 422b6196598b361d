// Shared by the runtime tests: compiled example bundles, a guard with an in-memory audit log and a clock
// the test moves by hand.
import { checkText, type Bundle } from "@charter/language";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AuditLog, MemoryAuditSink, createGuard, type Approver, type GuardOptions } from "@charter/runtime";

export const root = join(import.meta.dirname, "../..");

export function compileExample(name: string): Bundle {
  return compileText(readFileSync(join(root, "examples", name), "utf8"));
}

export function compileText(text: string): Bundle {
  const r = checkText(text);
  if (r.errors > 0) throw new Error("fixture policy has errors: " + r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return r.bundle;
}

export function makeGuard(bundle: Bundle, options: Partial<GuardOptions> = {}) {
  const sink = new MemoryAuditSink();
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const guard = createGuard(bundle, { audit: new AuditLog(sink, { clock: () => clock.now }), clock: () => clock.now, ...options });
  return { guard, sink, clock };
}

export const approveAs =
  (who: string): Approver =>
  async () => ({ approved: true, approver: who });
export const rejectAs =
  (who: string): Approver =>
  async () => ({ approved: false, approver: who, note: "not today" });

/** A small policy exercising every constraint kind, talks_to and isolation. */
export const MINI = `
policy mini {
  version 1
  owner "sec"
}
source docs { trust low threshold 0.5 }
source internal { trust high threshold 0.9 }
defaults {
  monitor {
    tool_rate      > 2.0x baseline within 5m    => alert high
    data_volume    > 3.0x baseline per session  => alert medium
    novel_sequence >= 0.85                      => alert medium
    output pii                                  => redact
    output exfiltration                         => block
    external_domain outside ["acme.io"]         => block
  }
  audit { retention 365d pii hash }
}
agent helper {
  kind conversational
  reads docs
  tool lookup { scope read tier low rate 3 per 1m args { id: string max 5 } }
  tool mail { scope send tier medium rate 100 per 1h args { to: email in domains ["acme.io"]  body: string max 100 } }
  tool fetch { scope read tier low rate 100 per 1h args { url: url in domains ["acme.io"] } }
  tool pick { scope read tier low rate 100 per 1h args { color: one of ["red", 2]  tags: subset of ["a", "b"]  n: number between 1 and 10  m: number max 5  extra: any } }
  tool free { scope read tier low rate 100 per 1h }
  tool refund {
    scope write tier high rate 100 per 1h
    approval { approvers ["leads"] timeout 1m }
    reversal "playbooks/refund.md"
    args { amount: number max 500 }
  }
  deny wipe
  talks_to worker via work
}
agent worker {
  kind conversational
  reads internal
  exposes work
  tool run { scope read tier low rate 100 per 1h }
}
`;
