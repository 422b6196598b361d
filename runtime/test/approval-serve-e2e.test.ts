// End to end through the real `charter serve` binary: a real MCP client over Streamable HTTP, a real stdio
// tool server that records what really ran, approvers deciding through the HTTP API, a webhook receiver.
// A call waits; an approval runs it once with the arguments shown; a rejection, an expiry, an approver
// outside the groups, a cancellation, an isolation while waiting and a shutdown run nothing.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/approval/index.js";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";
import { DOCS_POLICY, TOKENS, api, until } from "./approval-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-approvals-"));
const record = join(dir, "calls.jsonl");
const log = join(dir, "audit.jsonl");
let serve: ChildProcess;
let url: string;
let hook: Server;
const hooks: { text: string }[] = [];
let stderr = "";
let client: Client;

interface Shown {
  id: string;
  args: Record<string, unknown>;
  args_digest: string;
  reasoning: string | null;
  expires_at: string;
}

const ran = () =>
  existsSync(record)
    ? readFileSync(record, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { name: string; args: unknown })
    : [];
const pending = async (token = TOKENS.alice): Promise<Shown[]> =>
  ((await (await api(url, token, "/api/approvals")).json()) as { approvals: Shown[] }).approvals;
async function waitingOne(): Promise<Shown> {
  for (let i = 0; i < 500; i++) {
    const p = await pending();
    if (p.length === 1) return p[0]!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no pending request appeared");
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  hook = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    hooks.push(JSON.parse(body) as { text: string });
    res.end("ok");
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  writeFileSync(join(dir, "docs.charter"), DOCS_POLICY);
  const built = charter(["build", join(dir, "docs.charter"), "-o", join(dir, "docs.bundle.json")]);
  expect(built.status, built.stderr).toBe(0);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, "serve.yaml"),
    `
listen: 127.0.0.1:${port}
bundle: docs.bundle.json
audit: { file: audit.jsonl }
public_url: ${url}
notify: { webhook: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }
agents:
  docs-bot: { token_sha256: "${hashToken(TOKENS.agent)}", upstreams: [docs], source: user }
upstreams:
  docs: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(ROOT, "runtime/test/fixtures/recording-tool-server.mjs"))}, ${JSON.stringify(record)}] }
approvers:
  alice: { token_sha256: "${hashToken(TOKENS.alice)}", groups: [docs-leads] }
  bob: { token_sha256: "${hashToken(TOKENS.bob)}", groups: [docs-leads, security-leads] }
  mallory-not-a-lead: { token_sha256: "${hashToken(TOKENS.mallory)}", groups: [marketing] }
admin: { token_sha256: "${hashToken(TOKENS.admin)}" }
`,
  );
  serve = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", join(dir, "serve.yaml")], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  serve.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  await until(() => stderr.includes("listening on"), "charter serve to listen", 30_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  client = new Client({ name: "docs-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url + "/mcp"), { requestInit: { headers: { Authorization: `Bearer ${TOKENS.agent}` } } }),
  );
});

afterAll(async () => {
  await client?.close().catch(() => {});
  if (serve && serve.exitCode === null) serve.kill("SIGKILL");
  hook?.closeAllConnections();
  await new Promise((r) => hook.close(r));
});

describe("approvals through charter serve", () => {
  it("a call waits; a docs lead approves through the API; it runs once with the arguments shown", async () => {
    const args = { slug: "release-notes-2-4", contact: "jo.bloggs@example.com" };
    const result = client.callTool({ name: "publishPage", arguments: args });
    const shown = await waitingOne();
    expect(shown.args).toMatchObject({ slug: "release-notes-2-4", contact: expect.stringMatching(/^\[email:hmac-sha256:/) });
    expect(await pending(TOKENS.mallory)).toEqual([]);
    const forbidden = await api(url, TOKENS.mallory, `/api/approvals/${shown.id}`, { decision: "approve" });
    expect(forbidden.status).toBe(403);
    expect(ran()).toEqual([]);
    const ok = await api(url, TOKENS.alice, `/api/approvals/${shown.id}`, {
      decision: "approve",
      comment: "reviewed",
      args_digest: shown.args_digest,
    });
    expect(await ok.json()).toEqual({ id: shown.id, status: "approved" });
    const r = await result;
    expect(r.isError).toBeFalsy();
    expect(ran()).toEqual([{ name: "publishPage", args }]);
    expect((await api(url, TOKENS.bob, `/api/approvals/${shown.id}`, { decision: "approve" })).status).toBe(409);
    await until(() => hooks.some((h) => h.text.includes(`${url}/inbox#${shown.id}`)), "the webhook");
    expect(ran()).toHaveLength(1);
  });

  it("a rejection refuses the call", async () => {
    const result = client.callTool({ name: "publishPage", arguments: { slug: "draft", contact: "x" } });
    const shown = await waitingOne();
    await api(url, TOKENS.bob, `/api/approvals/${shown.id}`, { decision: "reject", comment: "still a draft" });
    const r = await result;
    expect(r.isError).toBe(true);
    expect(ran()).toHaveLength(1);
  });

  it("expiry refuses the call and a late approval is 409", async () => {
    const result = client.callTool({ name: "archivePage", arguments: { slug: "old" } });
    const shown = await waitingOne();
    const r = await result;
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/no answer within 2s/);
    const late = await api(url, TOKENS.alice, `/api/approvals/${shown.id}`, { decision: "approve" });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ status: "expired" });
    expect(ran()).toHaveLength(1);
  });

  it("cancellation by the client withdraws the request: nothing runs, a late approval is 409", async () => {
    const abort = new AbortController();
    const result = client.callTool({ name: "publishPage", arguments: { slug: "cancelled", contact: "x" } }, undefined, {
      signal: abort.signal,
    });
    const shown = await waitingOne();
    abort.abort("the user gave up");
    await expect(result).rejects.toThrow();
    let status = 0;
    for (let i = 0; i < 200 && status !== 409; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const one = await api(url, TOKENS.alice, `/api/approvals/${shown.id}`);
      if (((await one.json()) as { status: string }).status === "withdrawn")
        status = (await api(url, TOKENS.alice, `/api/approvals/${shown.id}`, { decision: "approve" })).status;
    }
    expect(status).toBe(409);
    expect(ran()).toHaveLength(1);
  });

  it("isolation while waiting: the call is refused, the request withdrawn; release lets the agent work again", async () => {
    const result = client.callTool({ name: "publishPage", arguments: { slug: "during-incident", contact: "x" } });
    const shown = await waitingOne();
    const iso = await api(url, TOKENS.admin, "/api/admin/isolate", { agent: "docs-bot", reason: "incident 9" });
    expect(await iso.json()).toMatchObject({ isolated: "docs-bot", withdrawn: 1 });
    expect((await result).isError).toBe(true);
    expect((await api(url, TOKENS.alice, `/api/approvals/${shown.id}`, { decision: "approve" })).status).toBe(409);
    expect((await client.callTool({ name: "readPage", arguments: { slug: "x" } })).isError).toBe(true);
    expect((await api(url, TOKENS.admin, "/api/admin/release", { agent: "docs-bot" })).status).toBe(200);
    expect((await client.callTool({ name: "readPage", arguments: { slug: "x" } })).isError).toBeFalsy();
    expect(ran().map((c) => c.name)).toEqual(["publishPage", "readPage"]);
  });

  it("SIGTERM withdraws what is pending, flushes the log and exits 0", async () => {
    const result = client.callTool({ name: "publishPage", arguments: { slug: "at-shutdown", contact: "x" } });
    const shown = await waitingOne();
    const exited = new Promise<number | null>((r) => serve.once("exit", (code) => r(code)));
    serve.kill("SIGTERM");
    expect(await exited).toBe(0);
    // the refusal may reach the client before the connection closes, or the connection closes under it:
    // either way the call did not run (the SDK client does not fail a request whose stream just ended)
    const answer = await Promise.race([
      result.then(
        (r) => (r.isError ? "refused" : "ran"),
        () => "closed",
      ),
      new Promise((r) => setTimeout(() => r("no answer"), 3000)),
    ]);
    expect(answer).not.toBe("ran");
    expect(ran().map((c) => c.name)).toEqual(["publishPage", "readPage"]);
    const records = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; outcome: string; trace: { rule: string; reason: string }[]; approver?: string });
    const mine = records.filter(
      (r) => r.event === "approval" && r.trace.some((t) => t.rule === "approval.request" && t.reason === shown.id),
    );
    expect(mine.map((r) => r.outcome)).toContain("withdrawn");
    expect(records.some((r) => r.outcome === "forbidden" && r.approver === "mallory-not-a-lead")).toBe(true);
  });
});
