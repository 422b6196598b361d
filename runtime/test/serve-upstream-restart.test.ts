// A stdio tool server that crashes is restarted with backoff; meanwhile its calls are refused cleanly
// (an error result, not a hung or failed HTTP request), and the exit, each refusal and the restart are audited.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/index.js";
import { startEchoGateway } from "../../test/support/echo-gateway.js";
import { ROOT } from "../../test/support/paths.js";

const text = (r: unknown) => ((r as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

describe("charter serve when a stdio upstream crashes", () => {
  it("refuses its calls as unavailable while it is down, restarts it with backoff, and audits all of it", async () => {
    const lines: string[] = [];
    const { serve, dir, token } = await startEchoGateway(join(ROOT, "runtime/test/fixtures/serve/crashy-echo.mjs"), {
      prefix: "charter-serve-restart-",
      log: (l) => lines.push(l),
      upstreamRestart: { firstMs: 800, maxMs: 800 },
    });
    const client = new Client({ name: "restart-test", version: "1" });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(serve.url + "/mcp"), {
          requestInit: { headers: { Authorization: `Bearer ${token.token}` } },
        }),
      );
      const first = await client.callTool({ name: "echo", arguments: { text: "hello" } });
      expect(first.isError).toBeFalsy();
      const pid = /pid (\d+)/.exec(text(first))![1];

      const crashed = await client.callTool({ name: "echo", arguments: { text: "crash" } });
      expect(crashed.isError).toBe(true);
      expect(text(crashed)).toMatch(/the tool server failed on echo/);

      const meanwhile = await client.callTool({ name: "echo", arguments: { text: "meanwhile" } });
      expect(meanwhile.isError).toBe(true);
      expect(text(meanwhile)).toMatch(/Charter refused echo: upstream echo is down .*being restarted/);

      let back: Awaited<ReturnType<typeof client.callTool>> | undefined;
      for (let i = 0; i < 100 && (back === undefined || back.isError); i++) {
        await new Promise((r) => setTimeout(r, 100));
        back = await client.callTool({ name: "echo", arguments: { text: "back" } });
      }
      expect(back?.isError).toBeFalsy();
      expect(text(back)).toContain("back (pid ");
      expect(/pid (\d+)/.exec(text(back))![1]).not.toBe(pid);
    } finally {
      await client.close().catch(() => undefined);
      await serve.close();
    }
    const log = readFileSync(join(dir, "audit.jsonl"), "utf8");
    expect(verifyAuditLog(log).ok).toBe(true);
    const records = log
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; outcome: string; trace: { rule: string; reason: string }[] });
    const rules = records.map((r) => r.trace[0]?.rule);
    expect(rules).toContain("upstream.exited");
    expect(rules).toContain("upstream.restarted");
    const exitAt = rules.indexOf("upstream.exited");
    const restartAt = rules.indexOf("upstream.restarted");
    expect(exitAt).toBeLessThan(restartAt);
    // the refusals while it was down are decisions of their own, between the exit and the restart
    const refusedDown = records
      .slice(exitAt, restartAt)
      .filter((r) => r.event === "decision" && r.outcome !== "allow" && r.trace.some((t) => /is down/.test(t.reason)));
    expect(refusedDown.length).toBeGreaterThanOrEqual(1);
    expect(lines.join("\n")).toMatch(/alert: upstream echo is down: its process exited/);
  }, 60_000);
});
