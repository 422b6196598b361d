// The remote approver: a second process's guard (the stdio `charter gateway --approvals URL`) asks the
// approval service over HTTP with the agent's token. Groups and deadline come from the service's own
// policy; the request stays open until it ends; the client going away withdraws it. First through the
// library, then through the real `charter gateway` binary with a real MCP client.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AuditLog, MemoryAuditSink, createGuard, createRemoteApprover, type ApprovalTimers, type Guard } from "../src/index.js";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";
import { DOCS_POLICY, TOKENS, api, compilePolicy, deploy, until, type Deployment } from "./approval-fixtures.js";

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const ARGS = { slug: "release-notes", contact: "jo.bloggs@example.com" };

function localGuard(url: string, token = TOKENS.agent, timers?: ApprovalTimers): { guard: Guard; sink: MemoryAuditSink } {
  const sink = new MemoryAuditSink();
  const guard = createGuard(compilePolicy(DOCS_POLICY), {
    audit: new AuditLog(sink),
    approver: createRemoteApprover(url, token),
    ...(timers ? { approvalTimers: timers } : {}),
  });
  return { guard, sink };
}

const neverTimers: ApprovalTimers = { setTimeout: () => 0, clearTimeout: () => {} };

describe("createRemoteApprover", () => {
  it("opens the request on the service and waits; a docs lead's approval comes back, bound to the same id and arguments", async () => {
    d = await deploy({ service: { heartbeatMs: 20 } });
    const local = localGuard(d.url);
    const call = local.guard.authorize({
      agent: "docs-bot",
      session: "stdio-1",
      tool: "publishPage",
      args: ARGS,
      reasoning: "release day",
    });
    const pending = await until(() => d!.service.pending()[0], "the remote request");
    expect(pending).toMatchObject({
      agent: "docs-bot",
      session: "stdio-1",
      tool: "publishPage",
      groups: ["docs-leads"],
      reasoning: "release day",
    });
    await new Promise((r) => setTimeout(r, 100)); // a few keep-alive lines pass
    expect((await api(d.url, TOKENS.mallory, `/api/approvals/${pending.id}`, { decision: "approve" })).status).toBe(403);
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve", comment: "ok" })).status).toBe(200);
    const decision = await call;
    expect(decision).toMatchObject({ outcome: "allow", approver: "alice", approvalId: pending.id });
    expect(local.sink.records.at(-1)).toMatchObject({ event: "approval", outcome: "approved", approver: "alice" });
  });

  it("a rejection and a service-side expiry refuse the call", async () => {
    const timers: ApprovalTimers & { fire?: () => void } = {
      setTimeout: (fn) => {
        timers.fire = fn;
        return 1;
      },
      clearTimeout: () => {},
    };
    d = await deploy({ service: { timers } });
    const local = localGuard(d.url, TOKENS.agent, neverTimers);
    const rejected = local.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: ARGS });
    const first = await until(() => d!.service.pending()[0], "first");
    await api(d.url, TOKENS.bob, `/api/approvals/${first.id}`, { decision: "reject", comment: "wrong slug" });
    expect(await rejected).toMatchObject({ outcome: "deny", approval: "rejected", approver: "bob" });
    const expired = local.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: ARGS });
    await until(() => d!.service.pending()[0], "second");
    timers.fire!();
    expect(await expired).toMatchObject({ outcome: "deny", approval: "timeout" });
  });

  it("the client cancelling closes the connection, which withdraws the request; a late approval is 409", async () => {
    d = await deploy();
    const local = localGuard(d.url);
    const client = new AbortController();
    const call = local.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: ARGS, signal: client.signal });
    const pending = await until(() => d!.service.pending()[0], "the remote request");
    client.abort();
    expect(await call).toMatchObject({ outcome: "deny", approval: "withdrawn" });
    await until(() => d!.service.get(pending.id)!.status === "withdrawn", "the service to see the withdrawal");
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve" })).status).toBe(409);
  });

  it("refuses (and the call is denied) for a wrong token or a tool the service's policy does not grant", async () => {
    d = await deploy();
    const wrong = localGuard(d.url, "not-the-agent");
    expect(await wrong.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: ARGS })).toMatchObject({
      outcome: "deny",
      approval: "error",
      reason: expect.stringMatching(/HTTP 401/),
    });
    const r = await api(d.url, TOKENS.agent, "/api/agent/approvals", { session: "s", tool: "deleteEverything", args: {} });
    expect(r.status).toBe(403);
    const notNeeded = await api(d.url, TOKENS.agent, "/api/agent/approvals", { session: "s", tool: "readPage", args: {} });
    expect(notNeeded.status).toBe(422);
    expect(d.service.pending()).toEqual([]);
  });

  it("an isolated agent's remote request ends withdrawn at once; too many waiting is 429", async () => {
    d = await deploy({ service: { maxPendingPerAgent: 1 } });
    const local = localGuard(d.url);
    const first = local.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: ARGS });
    const pending = await until(() => d!.service.pending()[0], "first");
    const second = await api(d.url, TOKENS.agent, "/api/agent/approvals", { session: "s", tool: "publishPage", args: ARGS });
    expect(second.status).toBe(429);
    // an approver can read one request by id, with its status
    const one = await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`);
    expect(await one.json()).toMatchObject({ id: pending.id, status: "pending", tool: "publishPage" });
    expect((await api(d.url, TOKENS.mallory, `/api/approvals/${pending.id}`)).status).toBe(404);
    await api(d.url, TOKENS.admin, "/api/admin/isolate", { agent: "docs-bot", reason: "incident" });
    expect(await first).toMatchObject({ outcome: "deny", approval: "withdrawn" });
    const afterIsolation = await api(d.url, TOKENS.agent, "/api/agent/approvals", { session: "s", tool: "publishPage", args: ARGS });
    const lines = (await afterIsolation.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { status: string; reason?: string });
    expect(lines.at(-1)).toMatchObject({ status: "withdrawn", reason: "docs-bot is isolated" });
  });
});

describe("charter gateway --approvals URL", () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  async function start(url: string, record: string, env: Record<string, string> = { CHARTER_TOKEN: TOKENS.agent }): Promise<Client> {
    const dir = mkdtempSync(join(tmpdir(), "charter-remote-"));
    writeFileSync(join(dir, "docs.charter"), DOCS_POLICY);
    const built = charter(["build", join(dir, "docs.charter"), "-o", join(dir, "docs.bundle.json")]);
    expect(built.status, built.stderr).toBe(0);
    const c = new Client({ name: "test-agent", version: "1.0.0" });
    await c.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          join(ROOT, "cli/bin/charter.js"),
          "gateway",
          "--bundle",
          join(dir, "docs.bundle.json"),
          "--agent",
          "docs-bot",
          "--source",
          "user",
          "--audit",
          join(dir, "audit.jsonl"),
          "--session",
          "stdio-7",
          "--approvals",
          url,
          "--",
          process.execPath,
          join(ROOT, "runtime/test/fixtures/recording-tool-server.mjs"),
          record,
        ],
        env: { ...(process.env as Record<string, string>), ...env },
        stderr: "pipe",
      }),
    );
    return c;
  }

  const ran = (record: string) =>
    existsSync(record)
      ? readFileSync(record, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { name: string; args: unknown })
      : [];

  it("a call waits for the service; an approval runs it once, with the arguments shown", async () => {
    d = await deploy();
    const record = join(mkdtempSync(join(tmpdir(), "charter-rec-")), "calls.jsonl");
    client = await start(d.url, record);
    const result = client.callTool({ name: "publishPage", arguments: ARGS });
    const pending = await until(() => d!.service.pending()[0], "the request from the stdio gateway", 20_000);
    expect(pending).toMatchObject({ agent: "docs-bot", session: "stdio-7", tool: "publishPage" });
    expect(ran(record)).toEqual([]);
    expect(
      (await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve", args_digest: pending.argsDigest })).status,
    ).toBe(200);
    const r = await result;
    expect(r.isError).toBeFalsy();
    expect(ran(record)).toEqual([{ name: "publishPage", args: ARGS }]);
  });

  it("cancellation by the MCP client withdraws the request: nothing runs, a late approval is 409", async () => {
    d = await deploy();
    const record = join(mkdtempSync(join(tmpdir(), "charter-rec-")), "calls.jsonl");
    client = await start(d.url, record);
    const abort = new AbortController();
    const result = client.callTool({ name: "publishPage", arguments: ARGS }, undefined, { signal: abort.signal });
    const pending = await until(() => d!.service.pending()[0], "the request from the stdio gateway", 20_000);
    abort.abort("the user gave up");
    await expect(result).rejects.toThrow();
    await until(() => d!.service.get(pending.id)!.status === "withdrawn", "the withdrawal to reach the service", 10_000);
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${pending.id}`, { decision: "approve" })).status).toBe(409);
    // the gateway still serves: a later call that is approved runs, the withdrawn one never did
    const later = client.callTool({ name: "publishPage", arguments: { slug: "second", contact: "x" } });
    const next = await until(() => d!.service.pending()[0], "the second request", 20_000);
    await api(d.url, TOKENS.bob, `/api/approvals/${next.id}`, { decision: "approve" });
    expect((await later).isError).toBeFalsy();
    expect(ran(record)).toEqual([{ name: "publishPage", args: { slug: "second", contact: "x" } }]);
  });

  it("refuses to start with --approvals but no CHARTER_TOKEN", () => {
    const r = charter(
      ["gateway", "--bundle", "x.json", "--agent", "a", "--source", "s", "--approvals", "http://127.0.0.1:1", "--", "true"],
      { env: { CHARTER_TOKEN: "" } },
    );
    expect(r.status).not.toBe(0);
  });
});
