// `charter gateway` as an agent meets it: a real MCP SDK client spawns the CLI over stdio, which
// spawns a real MCP tool server. Only granted tools are listed; a denied call is refused and
// audited; a call that needs approval is refused (no approver at a terminal); the log verifies.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "@charter/runtime";
import { charter, procurementGatewayArgs } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "charter-gateway-"));
const bundle = join(dir, "procurement.bundle.json");
const log = join(dir, "audit.jsonl");
let client: Client;

const text = (r: unknown) => ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join("\n");

beforeAll(async () => {
  expect(charter(["build", "examples/procurement.charter", "-o", bundle]).status).toBe(0);
  client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "cli/bin/charter.js"), ...procurementGatewayArgs(bundle, log, ["--session", "t1"])],
      stderr: "pipe",
    }),
  );
});

afterAll(async () => {
  await client?.close();
});

describe("charter gateway", () => {
  it("lists only the tools the agent is granted", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["createDraftPO", "querySupplierDB", "readPurchaseOrders"]);
  });

  it("passes an allowed call through, refuses a denied one and one that needs approval", async () => {
    const ok = await client.callTool({ name: "readPurchaseOrders", arguments: { department: "own-dept" } });
    expect(ok.isError).toBeFalsy();
    const denied = await client.callTool({ name: "paymentExecution", arguments: { iban: "DE00", amount: 1 } });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/Charter refused paymentExecution: explicit refusal/);
    const needsApproval = await client.callTool({ name: "createDraftPO", arguments: { amount: 5 } });
    expect(needsApproval.isError).toBe(true);
    expect(text(needsApproval)).toMatch(/needs approval and no approver is configured/);
  });

  it("records every decision in a log that verifies", async () => {
    await client.close();
    // the gateway flushes its log when the agent goes away
    for (let i = 0; i < 50; i++) {
      const records = (() => {
        try {
          return readFileSync(log, "utf8").trim().split("\n").filter(Boolean).length;
        } catch {
          return 0;
        }
      })();
      if (records >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const content = readFileSync(log, "utf8");
    expect(verifyAuditLog(content).ok).toBe(true);
    const tools = content
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).action?.tool);
    expect(tools).toEqual(expect.arrayContaining(["readPurchaseOrders", "paymentExecution", "createDraftPO"]));
    expect(
      content
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .some((r) => r.event === "approval" && r.outcome === "no_approver"),
    ).toBe(true);
  });

  it("refuses a tampered bundle before starting anything", () => {
    const tampered = join(dir, "tampered.bundle.json");
    writeFileSync(tampered, readFileSync(bundle, "utf8").replace('"count": 20', '"count": 20000'));
    const r = charter(["gateway", "--bundle", tampered, "--agent", "procurement-assistant-v2", "--source", "rag", "--", "true"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bundle refused \(digest\)/);
  });
});

describe("charter pins", () => {
  it("prints the digest of each published tool, the same the gateway checks", async () => {
    const { toolDefinitionDigest } = await import("@charter/runtime/gateway");
    const r = charter(["pins", "--", process.execPath, join(ROOT, "test/fixtures/mcp-tool-server.mjs")]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual([
      "createDraftPO",
      "paymentExecution",
      "querySupplierDB",
      "readPurchaseOrders",
      "systemConfig",
    ]);
    const direct = new Client({ name: "t", version: "1" });
    await direct.connect(
      new StdioClientTransport({ command: process.execPath, args: [join(ROOT, "test/fixtures/mcp-tool-server.mjs")], stderr: "pipe" }),
    );
    const read = (await direct.listTools()).tools.find((t) => t.name === "readPurchaseOrders")!;
    await direct.close();
    expect(lines).toContain(`readPurchaseOrders ${toolDefinitionDigest(read)}`);
  });
});
