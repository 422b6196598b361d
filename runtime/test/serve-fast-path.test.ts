// The fast path of `charter serve` (runtime/src/serve/fast-call.ts) answers a plain tools/call as the SDK
// transport would. Two gateways on the same config, one with the fast path and one without
// (ServeOptions.fastPath: false, every request through the SDK), get the same requests over raw HTTP; their
// answers must match: status, the headers in order (Date aside), and the body byte for byte. The fast
// gateway's counter proves which requests its fast path took, so a fast path that never engaged would fail
// too; the two audit logs must hold the same decisions in the same order.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { CallToolRequestSchema, McpError, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { handlerError } from "../src/serve/fast-call.js";
import { newToken, parseServeConfig, startServe, type ServeHandle } from "../src/serve/index.js";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-fast-"));
const token = newToken();
const agent = new Agent({ keepAlive: true });
const PROTOCOL = "2025-06-18";

interface Gateway {
  serve: ServeHandle;
  log: string;
  session: string;
}
let sdk: Gateway;
let fast: Gateway;

interface Answer {
  status: number;
  /** raw header names and values in the order they came, Date left out, the session id as <session> */
  headers: string[];
  body: string;
}

/** An approver that decides at once (`args.ok`) or after `args.wait` ms. */
const approver = async (req: { args: unknown }) => {
  const args = (req.args ?? {}) as { ok?: boolean; wait?: number };
  if (args.wait !== undefined) await new Promise((r) => setTimeout(r, args.wait));
  return { approved: args.ok === true, approver: "lead-of-the-test" };
};

async function startGateway(name: string, fastPath: boolean): Promise<Gateway> {
  const log = join(dir, `${name}.audit.jsonl`);
  const yaml = `
listen: 127.0.0.1:0
bundle: fast-path.bundle.json
audit: { file: ${JSON.stringify(log)} }
agents:
  tester: { token_sha256: "${token.sha256}", upstreams: [tools], source: api }
upstreams:
  tools: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(ROOT, "runtime/test/fixtures/serve/differential-tools.mjs"))}] }
`;
  writeFileSync(join(dir, `${name}.yaml`), yaml);
  const parsed = parseServeConfig(yaml, join(dir, `${name}.yaml`));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const serve = await startServe({
    config: parsed.config,
    log: () => undefined,
    watchBundle: false,
    fastPath,
    plugins: [() => ({ approver })],
  });
  const g: Gateway = { serve, log, session: "" };
  g.session = await openSession(g);
  return g;
}

async function openSession(g: Gateway): Promise<string> {
  const init = await post(g, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "differential", version: "1" } },
  });
  const sid = init.raw.headers["mcp-session-id"];
  if (typeof sid !== "string") throw new Error(`initialize: ${init.status} ${init.body}`);
  const done = await post(
    g,
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { "mcp-session-id": sid, "mcp-protocol-version": PROTOCOL },
  );
  expect(done.status).toBe(202);
  return sid;
}

type Raw = { status: number; body: string; raw: import("node:http").IncomingMessage };

function send(g: Gateway, method: string, body: string | undefined, headers: Record<string, string>): Promise<Raw> {
  const url = new URL(g.serve.url + "/mcp");
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: "/mcp", method, headers: { authorization: `Bearer ${token.token}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString("utf8"), raw: res }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const standard = (g: Gateway) => ({
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-session-id": g.session,
  "mcp-protocol-version": PROTOCOL,
});

function post(g: Gateway, message: unknown, headers: Record<string, string> = {}): Promise<Raw> {
  return send(g, "POST", JSON.stringify(message), {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...headers,
  });
}

function answerOf(g: Gateway, r: Raw): Answer {
  const headers: string[] = [];
  const h = r.raw.rawHeaders;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i]!.toLowerCase() === "date") continue;
    headers.push(`${h[i]!.toLowerCase()}: ${h[i + 1] === g.session ? "<session>" : h[i + 1]}`);
  }
  return { status: r.status, headers, body: r.body.split(g.session).join("<session>") };
}

/** The JSON-RPC messages of an answer (SSE events or a JSON body). */
function messages(
  a: Answer,
): { id?: unknown; result?: { content?: { text: string }[]; isError?: boolean }; error?: { code: number; message: string } }[] {
  if (a.headers.includes("content-type: text/event-stream"))
    return a.body
      .split("\n\n")
      .filter((e) => e.includes("data: "))
      .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)));
  return a.body === "" ? [] : [JSON.parse(a.body)].flat();
}

async function fastCount(g: Gateway): Promise<number> {
  const text = await (await fetch(g.serve.url + "/metrics")).text();
  return Number(/^charter_fast_path_calls_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** Sends the same request to both gateways; returns both answers and whether the fast gateway's fast path took it. */
async function both(
  message: unknown,
  headers: (g: Gateway) => Record<string, string> = standard,
): Promise<{ sdk: Answer; fast: Answer; tookFastPath: boolean }> {
  const before = await fastCount(fast);
  const a = answerOf(sdk, await send(sdk, "POST", JSON.stringify(message), headers(sdk)));
  const b = answerOf(fast, await send(fast, "POST", JSON.stringify(message), headers(fast)));
  return { sdk: a, fast: b, tookFastPath: (await fastCount(fast)) === before + 1 };
}

const call = (id: string | number, name: string, args?: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, ...(args !== undefined ? { arguments: args } : {}), ...extra },
});

beforeAll(async () => {
  expect(charter(["build", "runtime/test/fixtures/serve/fast-path.charter", "-o", join(dir, "fast-path.bundle.json")]).status).toBe(0);
  [sdk, fast] = await Promise.all([startGateway("sdk", false), startGateway("fast", true)]);
});

afterAll(async () => {
  await Promise.all([sdk?.serve.close(), fast?.serve.close()]);
  agent.destroy();
});

describe("charter serve: the fast path answers tools/call as the SDK does", () => {
  const cases: [string, unknown, boolean, (a: Answer) => void][] = [
    [
      "an allowed call",
      call(1, "echo", { text: "hello" }),
      true,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toContain("echo: hello"),
    ],
    [
      "a string id and a reasoning in _meta",
      call("call-two", "echo", { text: "again" }, { _meta: { "charter/reasoning": "the user asked" } }),
      true,
      (a) => expect(messages(a)[0]).toMatchObject({ id: "call-two" }),
    ],
    [
      "a call its arguments' constraint denies",
      call(3, "echo", { text: "far too long for the constraint" }),
      true,
      (a) => expect(messages(a)[0]!.result).toMatchObject({ isError: true }),
    ],
    [
      "a call the policy denies",
      call(4, "forbidden", {}),
      true,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toMatch(/^Charter refused forbidden/),
    ],
    ["an unknown tool", call(5, "no_such_tool", {}), true, (a) => expect(messages(a)[0]!.result).toMatchObject({ isError: true })],
    [
      "an approval granted",
      call(6, "approve_me", { text: "rename the report", ok: true }),
      true,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toContain("approve_me: rename the report"),
    ],
    [
      "an approval refused",
      call(7, "approve_me", { text: "no" }),
      true,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toMatch(/^Charter refused approve_me/),
    ],
    [
      "an approval that takes longer than the headers wait (the answer streams)",
      call(8, "approve_me", { text: "late", ok: true, wait: 1300 }),
      true,
      (a) => {
        expect(a.headers).toContain("transfer-encoding: chunked");
        expect(messages(a)[0]!.result!.content![0]!.text).toContain("approve_me: late");
      },
    ],
    [
      "an upstream that answers a JSON-RPC error",
      call(9, "fail", {}),
      true,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toMatch(/^the tool server failed on fail: .*disk on fire/),
    ],
    ["an upstream tool error", call(10, "broken", {}), true, (a) => expect(messages(a)[0]!.result).toMatchObject({ isError: true })],
    [
      "invalid params: arguments that are not an object (the SDK answers)",
      call(11, "echo", "text"),
      false,
      (a) => expect(messages(a)[0]!.error).toBeDefined(),
    ],
    [
      "invalid params: no tool name (the SDK answers)",
      { jsonrpc: "2.0", id: 12, method: "tools/call", params: { arguments: {} } },
      false,
      (a) => expect(messages(a)[0]!.error).toBeDefined(),
    ],
    [
      "an envelope with a key the SDK refuses (the SDK answers)",
      { ...call(13, "echo", { text: "x" }), extra: true },
      false,
      (a) => expect(a.status).toBe(400),
    ],
    [
      "a progressToken (the SDK answers: the call may send progress on its stream)",
      call(14, "echo", { text: "progress" }, { _meta: { progressToken: "p1" } }),
      false,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toContain("echo: progress"),
    ],
    [
      "a batch of one call (the SDK answers)",
      [call(15, "echo", { text: "batch" })],
      false,
      (a) => expect(messages(a)[0]!.result!.content![0]!.text).toContain("echo: batch"),
    ],
    [
      "a request that is not tools/call (the SDK answers)",
      { jsonrpc: "2.0", id: 16, method: "ping" },
      false,
      (a) => expect(messages(a)[0]).toMatchObject({ id: 16 }),
    ],
  ];
  for (const [name, message, viaFastPath, check] of cases) {
    it(name, async () => {
      const r = await both(message);
      expect(r.fast).toEqual(r.sdk);
      expect(r.tookFastPath).toBe(viaFastPath);
      check(r.fast);
    });
  }

  it("headers the SDK refuses or does not need are left to it", async () => {
    const variants: [string, (g: Gateway) => Record<string, string>][] = [
      ["no protocol version header", (g) => ({ ...standard(g), "mcp-protocol-version": "" })],
      ["an unsupported protocol version", (g) => ({ ...standard(g), "mcp-protocol-version": "1999-01-01" })],
      ["an Accept without event streams", (g) => ({ ...standard(g), accept: "application/json" })],
      ["a Content-Type that is not JSON", (g) => ({ ...standard(g), "content-type": "text/plain" })],
    ];
    for (const [what, headers] of variants) {
      const r = await both(call(20, "echo", { text: "hdr" }), (g) => {
        const h = headers(g);
        if (h["mcp-protocol-version"] === "") delete (h as Partial<typeof h>)["mcp-protocol-version"];
        return h;
      });
      expect(r.fast, what).toEqual(r.sdk);
      expect(r.tookFastPath, what).toBe(false);
    }
  });

  it("an answer holds the SDK's framing: status 200, its SSE headers in order, one event, a length", async () => {
    const r = await both(call(30, "echo", { text: "framing" }));
    expect(r.fast.status).toBe(200);
    expect(r.fast.headers.filter((h) => !h.startsWith("keep-alive"))).toEqual([
      "cache-control: no-cache, no-transform",
      "connection: keep-alive",
      "content-type: text/event-stream",
      "mcp-session-id: <session>",
      "x-accel-buffering: no",
      `content-length: ${Buffer.byteLength(r.fast.body)}`,
    ]);
    expect(r.fast.body).toMatch(/^event: message\ndata: \{"result":\{.*\},"jsonrpc":"2\.0","id":30\}\n\n$/);
  });

  it("a call cancelled by notifications/cancelled gets no answer, its stream open until the session ends", async () => {
    const run = async (g: Gateway) => {
      const pending = send(g, "POST", JSON.stringify(call(40, "slow", { ms: 5000, text: "never" })), standard(g));
      await new Promise((r) => setTimeout(r, 300));
      const cancel = await send(
        g,
        "POST",
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 40, reason: "changed my mind" } }),
        standard(g),
      );
      expect(cancel.status).toBe(202);
      // still open after the headers wait, with nothing said
      const open = await Promise.race([pending.then(() => "ended"), new Promise((r) => setTimeout(() => r("open"), 1500))]);
      expect(open).toBe("open");
      const closed = await send(g, "DELETE", undefined, { "mcp-session-id": g.session, "mcp-protocol-version": PROTOCOL });
      expect(closed.status).toBe(200);
      const answer = answerOf(g, await pending);
      g.session = await openSession(g);
      return answer;
    };
    const [a, b] = await Promise.all([run(sdk), run(fast)]);
    expect(b).toEqual(a);
    expect(b.body).toBe("");
    expect(b.headers).toContain("transfer-encoding: chunked");
  });

  it("a call in flight when its session is deleted ends without an event, as the SDK's does", async () => {
    const run = async (g: Gateway) => {
      const pending = send(g, "POST", JSON.stringify(call(50, "slow", { ms: 3000, text: "cut" })), standard(g));
      await new Promise((r) => setTimeout(r, 300));
      await send(g, "DELETE", undefined, { "mcp-session-id": g.session, "mcp-protocol-version": PROTOCOL });
      const answer = answerOf(g, await pending);
      g.session = await openSession(g);
      return answer;
    };
    const [a, b] = await Promise.all([run(sdk), run(fast)]);
    expect(b).toEqual(a);
    expect(b).toMatchObject({ status: 200, body: "" });
    expect(b.headers).toContain("content-length: 0");
  });

  it("both gateways recorded the same decisions in the same order", async () => {
    const decisions = (log: string) =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.event === "decision" || r.event === "approval" || r.event === "result")
        .map((r) => `${r.event} ${r.tool} ${r.outcome}`);
    await new Promise((r) => setTimeout(r, 100));
    const a = decisions(sdk.log);
    expect(a.length).toBeGreaterThan(15);
    expect(decisions(fast.log)).toEqual(a);
  });
});

describe("charter serve: the fast path's JSON-RPC error", () => {
  it("is what the SDK's Protocol sends when a tools/call handler throws", async () => {
    const thrown: unknown[] = [
      new McpError(-32050, "disk on fire", { disk: "sda" }),
      new Error("plain failure"),
      Object.assign(new Error("odd code"), { code: "E_ODD" }),
      Object.assign(new Error("with data"), { code: 12, data: [1, 2] }),
    ];
    let next = 0;
    const server = new Server({ name: "probe", version: "1" }, { capabilities: { tools: {} } });
    // registered as serve registers its own (Protocol's registration, not Server's wrapper)
    Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, async () => {
      throw thrown[next++];
    });
    const [client, end] = InMemoryTransport.createLinkedPair();
    await server.connect(end);
    const answers: JSONRPCMessage[] = [];
    client.onmessage = (m) => answers.push(m);
    await client.start();
    for (let id = 0; id < thrown.length; id++) {
      await client.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "x", arguments: {} } });
      for (let i = 0; i < 100 && answers.length <= id; i++) await new Promise((r) => setTimeout(r, 5));
    }
    expect(answers.map((m) => JSON.stringify(m))).toEqual(thrown.map((e, id) => JSON.stringify(handlerError(id, e))));
    await server.close();
  });
});
