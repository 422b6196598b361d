// `pin`: a tool whose published definition changed since the policy pinned it (a "rug pull" by the
// tool server) is neither offered nor called through the gateway, and the refusal is audited.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, toolDefinitionDigest, type Gateway } from "../src/gateway/index.js";
import { compileText, makeGuard, root } from "../../test/support/runtime-fixtures.js";

const server = () =>
  new StdioClientTransport({ command: process.execPath, args: [join(root, "test/fixtures/mcp-tool-server.mjs")], stderr: "pipe" });
let gateway: Gateway;
let agent: Client;
let sink: ReturnType<typeof makeGuard>["sink"];

beforeAll(async () => {
  // the pin a reviewer would take from the tool server as it is today
  const direct = new Client({ name: "pinner", version: "1" });
  await direct.connect(server());
  const published = (await direct.listTools()).tools.find((t) => t.name === "readPurchaseOrders")!;
  await direct.close();
  const text = readFileSync(join(root, "examples/procurement.charter"), "utf8")
    .replace("tool readPurchaseOrders {", `tool readPurchaseOrders {\n    pin "${toolDefinitionDigest(published)}"`)
    .replace("tool querySupplierDB {", `tool querySupplierDB {\n    pin "sha256:${"0".repeat(64)}"`);
  const made = makeGuard(compileText(text));
  sink = made.sink;
  gateway = await createGateway({
    guard: made.guard,
    agent: "procurement-assistant-v2",
    session: "pin-1",
    resultSource: "rag",
    upstream: server(),
  });
  const [down, up] = InMemoryTransport.createLinkedPair();
  await gateway.connect(up);
  agent = new Client({ name: "agent", version: "1" });
  await agent.connect(down);
});

afterAll(async () => {
  await agent?.close();
  await gateway?.close();
});

describe("pinned tool definitions", () => {
  it("offers a pinned tool whose definition matches, and hides one that does not", async () => {
    const names = (await agent.listTools()).tools.map((t) => t.name);
    expect(names).toContain("readPurchaseOrders");
    expect(names).not.toContain("querySupplierDB");
  });

  it("refuses a call to a tool whose definition does not match its pin, and audits it", async () => {
    const ok = await agent.callTool({ name: "readPurchaseOrders", arguments: { department: "own-dept" } });
    expect(ok.isError).toBeFalsy();
    const r = await agent.callTool({ name: "querySupplierDB", arguments: { fields: ["name"] } });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/does not match the policy's pin/);
    const pinned = sink.records.filter((x) => x.trace.some((t) => t.rule === "pin"));
    expect(pinned.map((x) => [x.action?.tool, x.outcome])).toEqual([["querySupplierDB", "deny"]]);
  });
});
