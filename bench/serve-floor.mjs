// The floor under `charter serve` in scripts/bench-serve.mjs: an MCP server over Streamable HTTP whose one
// `echo` tool answers in-process — no token, no policy, no audit, no upstream. What it costs per call is
// what the HTTP server and the MCP SDK cost before the gateway does anything of its own.
//   node bench/serve-floor.mjs sdk PORT        the SDK's Node transport (StreamableHTTPServerTransport)
//   node bench/serve-floor.mjs adapter PORT    the SDK's web-standard transport fed the way serve feeds it
//                                              (runtime/src/serve/http-transport.ts, from runtime/dist)
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
if (mode === "adapter" && !existsSync(adapterFile)) {
  process.stderr.write("serve-floor: runtime/dist is not built: run `npm run build` first\n");
  process.exit(2);
}
const { handleWithTransport } = mode === "adapter" ? await import(adapterFile.href) : {};

const sessions = new Map();
function newSession() {
  const server = new Server({ name: "floor", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: "echo", description: "Echoes its text.", inputSchema: { type: "object", properties: { text: { type: "string" } } } }],
  }));
  const echo = async (r) => ({ content: [{ type: "text", text: String(r.params.arguments?.text) }] });
  // as serve registers it (without the Server's second parse of tools/call), or as the SDK's users do
  if (mode === "adapter") Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, echo);
  else server.setRequestHandler(CallToolRequestSchema, echo);
  const options = {
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, transport),
    onsessionclosed: (id) => sessions.delete(id),
  };
  const transport = mode === "adapter" ? new WebStandardStreamableHTTPServerTransport(options) : new StreamableHTTPServerTransport(options);
  return { server, transport };
}

const http = createServer(async (req, res) => {
  let body;
  if (req.method === "POST") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  }
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
  if (mode === "adapter") await handleWithTransport(transport, req, res, body);
  else await transport.handleRequest(req, res, body);
});
http.keepAliveTimeout = 65_000;
http.listen(Number(port), "127.0.0.1", () => process.stdout.write(`floor listening on ${port}\n`));
process.on("SIGTERM", () => process.exit(0));
