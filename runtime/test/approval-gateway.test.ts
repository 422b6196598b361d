// A real MCP client through the library gateway (createGateway) in front of a real stdio tool server, with
// the approval service deciding: the call waits (with progress notifications), runs once after approval
// with the shown arguments, and never runs after a rejection or an isolation while it waited.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../src/gateway/index.js";
import { TOKENS, api, deploy, until, type Deployment } from "./approval-fixtures.js";

let d: Deployment | undefined;
let gateway: Gateway | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await gateway?.close();
  await d?.close();
  client = gateway = d = undefined;
});

async function connect(dep: Deployment): Promise<{ record: string }> {
  const record = join(mkdtempSync(join(tmpdir(), "charter-gw-")), "calls.jsonl");
  gateway = await createGateway({
    guard: dep.guard,
    agent: "docs-bot",
    session: "mcp-1",
    resultSource: "user",
    progressIntervalMs: 50,
    upstream: new StdioClientTransport({
      command: process.execPath,
      args: [join(import.meta.dirname, "fixtures/recording-tool-server.mjs"), record],
    }),
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await gateway.connect(a);
  client = new Client({ name: "agent", version: "1.0.0" });
  await client.connect(b);
  return { record };
}

const ran = (record: string) =>
  existsSync(record)
    ? readFileSync(record, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown)
    : [];

describe("approval through the MCP gateway", () => {
  it("waits with progress notifications, then runs once with the shown arguments", async () => {
    d = await deploy();
    const { record } = await connect(d);
    const progress: number[] = [];
    const result = client!.callTool({ name: "publishPage", arguments: { slug: "notes", contact: "jo@example.com" } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
      resetTimeoutOnProgress: true,
    });
    const pending = await until(() => d!.service.pending()[0], "the pending request");
    await until(() => progress.length >= 2, "progress notifications");
    expect(ran(record)).toEqual([]);
    const shown = ((await (await api(d.url, TOKENS.alice, "/api/approvals")).json()) as { approvals: { args_digest: string }[] })
      .approvals[0]!;
    expect(
      (await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve", args_digest: shown.args_digest })).status,
    ).toBe(200);
    expect((await result).isError).toBeFalsy();
    expect(ran(record)).toEqual([{ name: "publishPage", args: { slug: "notes", contact: "jo@example.com" } }]);
    expect((await api(d.url, TOKENS.bob, `/api/approvals/${pending.id}`, { decision: "approve" })).status).toBe(409);
    expect(ran(record)).toHaveLength(1);
  });

  it("a rejection, and an isolation while waiting, run nothing", async () => {
    d = await deploy();
    const { record } = await connect(d);
    const rejected = client!.callTool({ name: "publishPage", arguments: { slug: "a", contact: "b" } });
    const first = await until(() => d!.service.pending()[0], "first");
    await api(d.url, TOKENS.alice, `/api/approvals/${first.id}`, { decision: "reject", comment: "no" });
    expect(await rejected).toMatchObject({ isError: true });
    const isolated = client!.callTool({ name: "publishPage", arguments: { slug: "c", contact: "d" } });
    const second = await until(() => d!.service.pending()[0], "second");
    await api(d.url, TOKENS.admin, "/api/admin/isolate", { agent: "docs-bot", reason: "incident" });
    expect(await isolated).toMatchObject({ isError: true });
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${second.id}`, { decision: "approve" })).status).toBe(409);
    expect(ran(record)).toEqual([]);
  });

  it("the MCP client's cancellation withdraws the request; a late approval is 409 and nothing runs", async () => {
    d = await deploy();
    const { record } = await connect(d);
    const abort = new AbortController();
    const result = client!.callTool({ name: "publishPage", arguments: { slug: "a", contact: "b" } }, undefined, { signal: abort.signal });
    const pending = await until(() => d!.service.pending()[0], "pending");
    abort.abort("gave up");
    await expect(result).rejects.toThrow();
    await until(() => d!.service.get(pending.id)!.status === "withdrawn", "withdrawal");
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve" })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 100));
    expect(ran(record)).toEqual([]);
  });
});
