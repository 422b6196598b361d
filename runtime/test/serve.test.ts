// `charter serve` as agents meet it: real MCP SDK clients over Streamable HTTP, in front of the reference
// filesystem and memory servers (stdio, started with node from node_modules) and a Streamable HTTP tool
// server the test starts (fixtures/serve/notes.mjs). Two agents with their own tokens and upstreams.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "../src/index.js";
import { newToken, parseServeConfig, startServe, type ServeHandle } from "../src/serve/index.js";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";
// @ts-expect-error: a plain ESM fixture without types
import { SPLIT, startNotesServer } from "./fixtures/serve/notes.mjs";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-"));
const bundle = join(dir, "gateway.bundle.json");
const goodBundle = join(dir, "good.bundle.json");
const log = join(dir, "audit.jsonl");
const files = join(dir, "files");
const memoryFile = join(dir, "memory.jsonl");
const librarian = newToken();
const archivist = newToken();
const alice = newToken();
const admin = newToken();
const lines: string[] = [];
let notes: { url: string; calls: string[]; close(): Promise<void> };
let serve: ServeHandle;
const clients: Client[] = [];

const text = (r: unknown) => ((r as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(serve.url + "/mcp"), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  clients.push(client);
  return client;
}

function records(): Record<string, unknown>[] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  mkdirSync(files);
  writeFileSync(join(files, "hello.txt"), "hello from the library\n");
  expect(charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", bundle]).status).toBe(0);
  copyFileSync(bundle, goodBundle);
  notes = await startNotesServer();
  const node = JSON.stringify(process.execPath);
  const config = `
listen: 127.0.0.1:0
bundle: gateway.bundle.json
audit: { file: audit.jsonl }
agents:
  librarian:
    token_sha256: "${librarian.sha256}"
    upstreams: [fs, notes]
    source: api
  archivist:
    token_sha256: "${archivist.sha256}"
    upstreams: [memory, notes]
    source: api
upstreams:
  fs:
    command: [${node}, ${JSON.stringify(join(ROOT, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"))}, ${JSON.stringify(files)}]
  memory:
    command: [${node}, ${JSON.stringify(join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js"))}]
    env: { MEMORY_FILE_PATH: ${JSON.stringify(memoryFile)} }
  notes: { url: "${notes.url}", resources: true }
approvers:
  alice: { token_sha256: "${alice.sha256}", groups: [leads] }
admin: { token_sha256: "${admin.sha256}" }
`;
  writeFileSync(join(dir, "serve.yaml"), config);
  const parsed = parseServeConfig(config, join(dir, "serve.yaml"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  serve = await startServe({ config: parsed.config, log: (l) => lines.push(l), watchBundle: false });
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await serve?.close();
  await notes?.close();
});

describe("charter serve: who may call", () => {
  it("answers 401 without a token or with an unknown one, and audits both", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const none = await fetch(serve.url + "/mcp", { method: "POST", headers, body: JSON.stringify(init) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await fetch(serve.url + "/mcp", {
      method: "POST",
      headers: { ...headers, authorization: "Bearer not-a-token" },
      body: JSON.stringify(init),
    });
    expect(wrong.status).toBe(401);
    await expect(connect("ch_guessed")).rejects.toThrow();
    await serve.reload(); // flushes nothing, but gives the batch timer a turn
    await new Promise((r) => setTimeout(r, 50));
    const refused = records().filter((r) => r.event === "auth_refused");
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(refused)).toContain("no Authorization header");
    expect(JSON.stringify(refused)).toContain("unknown token");
  });

  it("shows each agent only its upstreams' tools that its policy grants", async () => {
    const lib = await connect(librarian.token);
    const arc = await connect(archivist.token);
    const libTools = (await lib.listTools()).tools.map((t) => t.name).sort();
    const arcTools = (await arc.listTools()).tools.map((t) => t.name).sort();
    // write_file and move_file are denied, helpful_notes is poisoned, missing_tool is published by nobody
    expect(libTools).toEqual([
      "list_allowed_directories",
      "list_directory",
      "lookup",
      "read_text_file",
      "split_report",
      "structured_report",
    ]);
    expect(arcTools).toEqual(["approve_me", "create_entities", "lookup", "read_graph", "search_nodes"]);
    // the memory server is not the librarian's: its tools cannot be called through it
    const r = await lib.callTool({ name: "read_graph", arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Charter refused read_graph: librarian is not granted read_graph/);
  });

  it("does not let one agent's token use another agent's session", async () => {
    const lib = await connect(librarian.token);
    const sid = (lib.transport as StreamableHTTPClientTransport).sessionId!;
    const res = await fetch(serve.url + "/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${archivist.token}`,
        "mcp-session-id": sid,
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(404);
  });
});

describe("charter serve: calls and content", () => {
  it("forwards an allowed call to the stdio upstream and wraps its result as content of the tool's returns source", async () => {
    const lib = await connect(librarian.token);
    const r = await lib.callTool({ name: "read_text_file", arguments: { path: join(files, "hello.txt") } });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toContain("hello from the library");
    // read_text_file `returns files`: its results count as that source, not the agent's default (api)
    expect(text(r)).toContain('BEGIN UNTRUSTED CONTENT source="files"');
    expect(r.structuredContent).toBeUndefined();
  });

  it("refuses a denied call without reaching the tool server", async () => {
    const lib = await connect(librarian.token);
    const r = await lib.callTool({ name: "write_file", arguments: { path: join(files, "evil.txt"), content: "x" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/explicit refusal/);
    expect(existsSync(join(files, "evil.txt"))).toBe(false);
  });

  it("withholds a tool whose description is an injection, audits it, and refuses calls to it", async () => {
    const lib = await connect(librarian.token);
    const r = await lib.callTool({ name: "helpful_notes", arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/definition of helpful_notes looks like a prompt injection/);
    expect(notes.calls).not.toContain("helpful_notes");
    await new Promise((res) => setTimeout(res, 50));
    const withheld = records().filter((x) => x.event === "alert" && x.outcome === "withheld");
    expect(withheld.some((x) => (x.action as { tool: string }).tool === "helpful_notes")).toBe(true);
    expect(lines.some((l) => l.includes("helpful_notes") && l.includes("withheld"))).toBe(true);
  });

  it("scores a result's text items together: an injection split over six items is refused", async () => {
    const lib = await connect(librarian.token);
    const r = await lib.callTool({ name: "split_report", arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/refused the result of split_report: .*looks like a prompt injection/);
    expect(text(r)).not.toContain(SPLIT[5]);
  });

  it("checks structuredContent as text instead of passing it on unchecked", async () => {
    const lib = await connect(librarian.token);
    const listed = (await lib.listTools()).tools.find((t) => t.name === "structured_report")!;
    expect(listed.outputSchema).toBeUndefined();
    const r = await lib.callTool({ name: "structured_report", arguments: {} });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toMatch(/looks like a prompt injection/);
  });

  it("starts stdio upstreams with their configured environment (MEMORY_FILE_PATH)", async () => {
    const arc = await connect(archivist.token);
    const r = await arc.callTool({
      name: "create_entities",
      arguments: { entities: [{ name: "charter", entityType: "project", observations: ["policy as code"] }] },
    });
    expect(r.isError).toBeFalsy();
    expect(readFileSync(memoryFile, "utf8")).toContain('"name":"charter"');
  });

  it("holds a call that needs approval open with progress notifications until an approver decides, then runs it once", async () => {
    const arc = await connect(archivist.token);
    const progress: number[] = [];
    const call = arc.callTool({ name: "approve_me", arguments: { change: "rename" } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
      resetTimeoutOnProgress: true,
      timeout: 60_000,
    });
    const api = (path: string, token: string, body?: unknown) =>
      fetch(serve.url + path, {
        method: body ? "POST" : "GET",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    let pending: { id: string; tool: string; args_digest?: string } | undefined;
    for (let i = 0; i < 100 && pending === undefined; i++) {
      pending = (
        (await (await api("/api/approvals", alice.token)).json()) as { approvals: { id: string; tool: string; args_digest?: string }[] }
      ).approvals[0];
      if (pending === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pending).toMatchObject({ tool: "approve_me" });
    expect(notes.calls).not.toContain("approve_me");
    expect((await api("/api/approvals", archivist.token)).status).toBe(401); // an agent is no approver
    const decided = await api(`/api/approvals/${pending!.id}`, alice.token, {
      decision: "approve",
      ...(pending!.args_digest ? { args_digest: pending!.args_digest } : {}),
    });
    expect(decided.status).toBe(200);
    const r = await call;
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r)).toContain("applied rename");
    expect(notes.calls.filter((c) => c === "approve_me")).toHaveLength(1);
  });

  it("withdraws a waiting call when the client cancels it, and denies an isolated agent", async () => {
    const arc = await connect(archivist.token);
    const controller = new AbortController();
    const call = arc.callTool({ name: "approve_me", arguments: { change: "drop" } }, undefined, { signal: controller.signal });
    const api = (path: string, token: string, body?: unknown) =>
      fetch(serve.url + path, {
        method: body ? "POST" : "GET",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const waiting = async () => ((await (await api("/api/approvals", alice.token)).json()) as { approvals: { id: string }[] }).approvals;
    for (let i = 0; i < 100 && (await waiting()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await waiting()).toHaveLength(1);
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 100 && (await waiting()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await waiting()).toHaveLength(0);
    expect(notes.calls).not.toContain("approve_me:drop");

    expect((await api("/api/admin/isolate", admin.token, { agent: "archivist", reason: "incident 7" })).status).toBe(200);
    const denied = await arc.callTool({ name: "lookup", arguments: { word: "x" } });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/archivist is isolated: incident 7/);
    const lib = await connect(librarian.token);
    expect((await lib.callTool({ name: "lookup", arguments: { word: "x" } })).isError).toBeFalsy();
    expect((await api("/api/admin/release", admin.token, { agent: "archivist" })).status).toBe(200);
    expect((await arc.callTool({ name: "lookup", arguments: { word: "x" } })).isError).toBeFalsy();
  });
});

describe("charter serve: resources and prompts", () => {
  it("proxies resources and prompts of an upstream with resources: true, their text ingested like results", async () => {
    const lib = await connect(librarian.token);
    const listed = (await lib.listResources()).resources.map((r) => r.uri).sort();
    expect(listed).toEqual(["notes://glossary", "notes://memo"]);
    const glossary = await lib.readResource({ uri: "notes://glossary" });
    const first = glossary.contents[0] as { text: string };
    expect(first.text).toContain("pin: a digest of a tool definition");
    expect(first.text).toContain('BEGIN UNTRUSTED CONTENT source="api"');
    await expect(lib.readResource({ uri: "notes://memo" })).rejects.toThrow(/refused resource notes:\/\/memo: .*prompt injection/);
    const prompt = await lib.getPrompt({ name: "summarise", arguments: { topic: "pins" } });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain("Summarise what the glossary says about pins.");
  });
});

describe("charter serve: operations", () => {
  it("reports health with the bundle digest, and Prometheus metrics", async () => {
    const health = await fetch(serve.url + "/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", bundle: serve.digest() });
    expect(serve.digest()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const metrics = await (await fetch(serve.url + "/metrics")).text();
    expect(metrics).toMatch(/charter_decisions_total\{agent="librarian",tool="read_text_file",outcome="allow"\} [1-9]/);
    expect(metrics).toMatch(/charter_decisions_total\{agent="librarian",tool="write_file",outcome="deny"\} 1/);
    expect(metrics).toContain("charter_approvals_total");
    expect(metrics).toMatch(/charter_call_duration_seconds_bucket\{le="0.005",agent="librarian",outcome="allow"\}/);
  });

  it("warns at startup about granted tools that no upstream publishes", () => {
    expect(serve.warnings.some((w) => w.includes("librarian is granted missing_tool"))).toBe(true);
  });

  it("keeps the last good bundle when a reload is refused, and raises an alert", async () => {
    const before = serve.digest();
    writeFileSync(bundle, readFileSync(goodBundle, "utf8").replace('"count": 100000', '"count": 100001'));
    const r = await serve.reload();
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/bundle refused \(digest\)/);
    expect(serve.digest()).toBe(before);
    const lib = await connect(librarian.token);
    expect((await lib.callTool({ name: "lookup", arguments: { word: "pin" } })).isError).toBeFalsy();
    expect(lines.some((l) => l.includes("alert") && l.includes("keeping bundle"))).toBe(true);
    await new Promise((res) => setTimeout(res, 50));
    expect(records().some((x) => x.event === "alert" && x.outcome === "refused")).toBe(true);
    copyFileSync(goodBundle, bundle);
  });

  it("under concurrent load, writes one decision record per call in a chain that verifies", async () => {
    const agents = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(i % 2 ? librarian.token : archivist.token)));
    const before = records().filter((x) => x.event === "decision" && (x.action as { tool?: string })?.tool === "lookup").length;
    const N = 25;
    const results = await Promise.all(
      agents.flatMap((c) => Array.from({ length: N }, (_, i) => c.callTool({ name: "lookup", arguments: { word: `w${i}` } }))),
    );
    expect(results.every((r) => !r.isError)).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    const after = records().filter((x) => x.event === "decision" && (x.action as { tool?: string })?.tool === "lookup").length;
    expect(after - before).toBe(agents.length * N);
    expect(verifyAuditLog(readFileSync(log, "utf8")).ok).toBe(true);
    const verified = charter(["audit", "verify", log]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
  });
});
