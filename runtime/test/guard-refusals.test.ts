// Findings of the security review of the guard, each pinned by a test: an approval that cannot be
// audited is refused, the kill switch stops calls into an isolated agent, and argument checks see
// own properties only.
import { checkText } from "@charter/language";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLog, createGuard, MemoryAuditSink } from "../src/index.js";
import { EXAMPLES } from "../../test/support/paths.js";

const bundle = checkText(readFileSync(join(EXAMPLES, "procurement.charter"), "utf8")).bundle;
const A = "procurement-assistant-v2";

describe("guard review findings", () => {
  it("an approval granted while the audit log failed is refused", async () => {
    const sink = new MemoryAuditSink();
    const log = new AuditLog(sink);
    let fail = false;
    Object.defineProperty(log, "failure", { get: () => (fail ? { message: "disk full" } : undefined) });
    const guard = createGuard(bundle, {
      audit: log,
      approver: async () => {
        fail = true;
        return { approved: true, approver: "lead@corp" };
      },
    });
    const d = await guard.authorize({ agent: A, session: "s", tool: "createDraftPO", args: {} });
    expect(d.outcome).toBe("deny");
    expect(d.rule).toBe("audit_failure");
  });

  it("isolating an agent stops calls into it through talks_to", () => {
    const guard = createGuard(bundle, { audit: null });
    const call = { agent: A, session: "s", tool: "submitInvoiceQuery", args: {} };
    expect(guard.decide(call).outcome).toBe("allow");
    guard.isolate("compromised", "invoice-agent");
    const d = guard.decide(call);
    expect(d.outcome).toBe("deny");
    expect(d.rule).toBe("isolated");
  });

  it("an inherited argument value does not satisfy a constraint", () => {
    const guard = createGuard(bundle, { audit: null });
    const args = Object.create({ department: "own-dept" }) as Record<string, unknown>;
    expect(guard.decide({ agent: A, session: "s", tool: "readPurchaseOrders", args }).outcome).toBe("deny");
    expect(guard.decide({ agent: A, session: "s", tool: "readPurchaseOrders", args: { department: "own-dept" } }).outcome).toBe("allow");
  });
});
