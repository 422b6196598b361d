// The floor under `charter serve` in scripts/bench-serve.mjs: an MCP server over Streamable HTTP whose one
// `echo` tool answers in-process — no token, no policy, no audit, no upstream. What it costs per call is
// what the HTTP server and the MCP SDK cost before the gateway does anything of its own.
//   node bench/serve-floor.mjs sdk PORT        the SDK's Node transport (StreamableHTTPServerTransport)
//   node bench/serve-floor.mjs adapter PORT    the SDK's web-standard transport fed the way serve feeds it
//                                              (runtime/src/serve/http-transport.ts, from runtime/dist)
//   node bench/serve-floor.mjs fast PORT       as adapter, but a plain tools/call is answered by serve's fast
//                                              path (runtime/src/serve/fast-call.ts), as serve answers it
//   node bench/serve-floor.mjs http PORT       no MCP at all: node:http answering the calls with a canned
//                                              SSE event (the session is a constant): what the HTTP server
//                                              and the load generator cost on this machine, the lowest floor
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";

const [mode, port] = process.argv.slice(2);
const adapterFile = new URL("../runtime/dist/serve/http-transport.js", import.meta.url);
const fastFile = new URL("../runtime/dist/serve/fast-call.js", import.meta.url);
const adapter = mode === "adapter" || mode === "fast";
if (adapter && !(existsSync(adapterFile) && existsSync(fastFile))) {
  process.stderr.write("serve-floor: runtime/dist is not built: run `npm run build` first\n");
  process.exit(2);
}
const { handleWithTransport } = adapter ? await import(adapterFile.href) : {};
const { FastAnswer, fastToolCall } = mode === "fast" ? await import(fastFile.href) : {};

const sessions = new Map();
function newSession() {
  const server = new Server({ name: "floor", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: "echo", description: "Echoes its text.", inputSchema: { type: "object", properties: { text: { type: "string" } } } }],
  }));
  const echo = async (r) => ({ content: [{ type: "text", text: String(r.params.arguments?.text) }] });
  // as serve registers it (without the Server's second parse of tools/call), or as the SDK's users do
  if (adapter) Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, echo);
  else server.setRequestHandler(CallToolRequestSchema, echo);
  const options = {
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, transport),
    onsessionclosed: (id) => sessions.delete(id),
  };
  const transport = adapter ? new WebStandardStreamableHTTPServerTransport(options) : new StreamableHTTPServerTransport(options);
  transport.echo = echo;
  return { server, transport };
}

/** mode http: the answers without MCP, enough for bench/serve-client.mjs */
function answerBare(req, res, body) {
  if (req.method === "DELETE" || body?.id === undefined) {
    res.writeHead(req.method === "DELETE" ? 200 : 202).end();
    return;
  }
  const result =
    body.method === "initialize"
      ? { protocolVersion: body.params.protocolVersion, capabilities: {}, serverInfo: { name: "floor", version: "1" } }
      : { content: [{ type: "text", text: String(body.params?.arguments?.text) }] };
  const text = `event: message\ndata: ${JSON.stringify({ result, jsonrpc: "2.0", id: body.id })}\n\n`;
  res.writeHead(200, { "content-type": "text/event-stream", "mcp-session-id": "floor", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const http = createServer(async (req, res) => {
  let body;
  if (req.method === "POST") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  }
  if (mode === "http") return answerBare(req, res, body);
  const sid = req.headers["mcp-session-id"];
  let transport = typeof sid === "string" ? sessions.get(sid) : undefined;
  if (transport === undefined) {
    if (!isInitializeRequest(body)) {
      res.writeHead(404).end();
      return;
    }
    const s = newSession();
    await s.server.connect(s.transport);
    transport = s.transport;
  }
  const call = mode === "fast" ? fastToolCall(req, body, transport.sessionId) : undefined;
  if (call !== undefined) {
    // what serve's answerFast does around its callTool
    const answer = new FastAnswer(
      res,
      transport.sessionId,
      () => undefined,
      () => undefined,
    );
    const result = await transport.echo({ params: { name: call.name, arguments: call.args } });
    answer.send({ result, jsonrpc: "2.0", id: call.id });
  } else if (adapter) await handleWithTransport(transport, req, res, body);
  else await transport.handleRequest(req, res, body);
});
http.keepAliveTimeout = 65_000;
http.listen(Number(port), "127.0.0.1", () => process.stdout.write(`floor listening on ${port}\n`));
process.on("SIGTERM", () => process.exit(0));
