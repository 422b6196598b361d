// A flood of unauthenticated requests cannot fill the audit log: the first refusals of a minute are
// recorded one by one, the rest counted by address and reason and recorded as one summary (at the end of
// the window, or when the gateway closes). Every refusal is still counted in /metrics.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/index.js";
import { startEchoGateway } from "../../test/support/echo-gateway.js";
import { ROOT } from "../../test/support/paths.js";

describe("charter serve under an unauthenticated flood", () => {
  it("audits the first refusals one by one and the rest as one summary that counts them all", async () => {
    const { serve, dir } = await startEchoGateway(join(ROOT, "bench/serve-upstream.mjs"), {
      prefix: "charter-serve-flood-",
      log: () => undefined,
    });
    const FLOOD = 300;
    try {
      const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
      const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
      for (let i = 0; i < FLOOD; i += 50) {
        const batch = Array.from({ length: 50 }, (_, j) =>
          fetch(serve.url + "/mcp", {
            method: "POST",
            headers: (i + j) % 2 === 0 ? headers : { ...headers, authorization: `Bearer ch_guess${i + j}` },
            body: init,
          }).then((r) => r.status),
        );
        expect(new Set(await Promise.all(batch))).toEqual(new Set([401]));
      }
      const metrics = await (await fetch(serve.url + "/metrics")).text();
      expect(metrics).toMatch(new RegExp(`charter_auth_failures_total ${FLOOD}\\b`));
    } finally {
      await serve.close();
    }
    const records = readFileSync(join(dir, "audit.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; trace: { rule: string; reason: string }[] });
    const refused = records.filter((r) => r.event === "auth_refused");
    const one = refused.filter((r) => r.trace[0]!.rule === "auth");
    const summaries = refused.filter((r) => r.trace[0]!.rule === "auth.aggregated");
    expect(one.length).toBe(20);
    expect(summaries.length).toBe(1);
    const reason = summaries[0]!.trace[0]!.reason;
    expect(reason).toMatch(new RegExp(`^${FLOOD - 20} more requests refused within 60 s`));
    // by address and reason, and the counts add up to the refusals not recorded one by one
    expect(reason).toContain("127.0.0.1: no Authorization header ×");
    expect(reason).toContain("127.0.0.1: unknown token ×");
    const counted = [...reason.matchAll(/×(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(FLOOD - 20);
    expect(verifyAuditLog(readFileSync(join(dir, "audit.jsonl"), "utf8")).ok).toBe(true);
  }, 60_000);
});
