// The MCP gateway between a real SDK client and a real stdio MCP tool server (test/fixtures).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../src/gateway/index.js";
import { verifyAuditLog } from "../src/index.js";
import { compileExample, makeGuard, root } from "../../test/support/runtime-fixtures.js";

const AGENT = "procurement-assistant-v2";
let gateway: Gateway;
let client: Client;
let sink: ReturnType<typeof makeGuard>["sink"];
const upstreamCalls = () => client && gateway.client.callTool({ name: "__calls" });

beforeAll(async () => {
  const made = makeGuard(compileExample("procurement.charter"), {
    approver: async () => ({ approved: true, approver: "lead@company.com" }),
  });
  sink = made.sink;
  gateway = await createGateway({
    guard: made.guard,
    agent: AGENT,
    session: "mcp-1",
    resultSource: "rag",
    upstream: new StdioClientTransport({
      command: process.execPath,
      args: [join(root, "test/fixtures/mcp-tool-server.mjs")],
      stderr: "pipe",
    }),
  });
  const [down, up] = InMemoryTransport.createLinkedPair();
  await gateway.connect(up);
  client = new Client({ name: "agent", version: "1.0.0" });
  await client.connect(down);
});

afterAll(async () => {
  await client?.close();
  await gateway?.close();
});

const textOf = (r: unknown) => ((r as { content: unknown }).content as { type: string; text: string }[]).map((c) => c.text).join("\n");

describe("MCP gateway", () => {
  it("lists only the tools the policy grants", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["createDraftPO", "querySupplierDB", "readPurchaseOrders"]);
  });

  it("forwards an allowed call and filters its result (PII redacted, content wrapped as untrusted)", async () => {
    const r = await client.callTool({ name: "readPurchaseOrders", arguments: { department: "own-dept" } });
    expect(r.isError).toBeFalsy();
    const text = textOf(r);
    expect(text).toContain("PO-1001 office chairs");
    expect(text).toContain("[REDACTED:email]");
    expect(text).not.toContain("maria.lopez");
    expect(text).toContain('BEGIN UNTRUSTED CONTENT source="rag"');
  });

  it("refuses denied, ungranted and out-of-constraint calls without reaching the server", async () => {
    for (const [name, args] of [
      ["paymentExecution", { iban: "DE89370400440532013000", amount: 98000 }],
      ["systemConfig", {}],
      ["readPurchaseOrders", { department: "finance" }],
    ] as const) {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^Charter refused/);
    }
    const seen = JSON.parse(textOf(await upstreamCalls())) as string[];
    expect(seen).not.toContain("paymentExecution");
    expect(seen).not.toContain("systemConfig");
  });

  it("refuses a poisoned tool result instead of handing it to the agent", async () => {
    const r = await client.callTool({ name: "querySupplierDB", arguments: { fields: ["name", "rating"] } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("looks like a prompt injection");
    expect(textOf(r)).not.toContain("98000");
  });

  it("waits for approval on high-tier tools, and audits every step in a verifiable chain", async () => {
    const r = await client.callTool({ name: "createDraftPO", arguments: { amount: 1200 } });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toContain("createDraftPO executed");
    expect(sink.records.find((x) => x.event === "approval")).toMatchObject({ outcome: "approved", approver: "lead@company.com" });
    expect(sink.records.some((x) => x.event === "ingest_refused")).toBe(true);
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true });
  });
});
