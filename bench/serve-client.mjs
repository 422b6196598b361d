// The load generator of `scripts/bench-serve.mjs`: MCP clients lean enough that the gateway, not the client,
// is what the figures show. On a 2-core machine the SDK client (zod on every message, fetch, web streams)
// costs about as much CPU per call as the gateway it measures, so these speak the wire protocols directly:
//   HttpMcpClient  — Streamable HTTP: one keep-alive HTTP/1.1 socket per client, `initialize` and
//                    `notifications/initialized` first, then POSTs of JSON-RPC with the session id and the
//                    protocol version; a response may be `application/json` or `text/event-stream` (chunked
//                    or not), and both are parsed; a call is done when its HTTP response is complete.
//   StdioMcpClient — stdio: newline-delimited JSON-RPC on one child, any number of calls in flight.
// Both check what they get back (a JSON-RPC result with the request's id), so a broken path cannot look fast.
import { spawn } from "node:child_process";
import { connect } from "node:net";

const PROTOCOL = "2025-06-18";
const INIT = (id) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "charter-bench", version: "1" } },
});
const CRLF2 = Buffer.from("\r\n\r\n");
const STALL_MS = 20_000;

export class HttpMcpClient {
  /** `path` like "/mcp"; `headers` added to every request (Authorization). */
  constructor(host, port, path, headers = {}) {
    this.host = host;
    this.port = port;
    this.path = path;
    this.extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    this.session = undefined;
    this.nextId = 1;
    this.buf = Buffer.alloc(0);
    this.waiting = undefined; // { resolve, reject }
  }

  /** A keep-alive connection; a new one when the server closed the last (its idle timeout). */
  async open() {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    this.buf = Buffer.alloc(0);
    socket.on("data", (d) => this.onData(d));
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => {
      if (this.socket === socket) this.socket = undefined;
      this.fail(new Error("the server closed the connection"));
    });
    this.socket = socket;
  }

  async connect() {
    await this.open();
    // a response that never comes fails the run instead of hanging it (one timer per client, not per call)
    this.watchdog = setInterval(() => {
      if (this.waiting !== undefined && performance.now() - this.sentAt > STALL_MS)
        this.fail(new Error(`no response from ${this.host}:${this.port} within ${STALL_MS / 1000} s to ${this.lastBody.slice(0, 200)}`));
    }, 1000);
    this.watchdog.unref();
    const init = await this.post(INIT(0));
    if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status}: ${init.body}`);
    this.session = init.headers["mcp-session-id"];
    if (this.session === undefined) throw new Error("initialize: no mcp-session-id in the response");
    const done = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
    if (done.status !== 202 && done.status !== 200) throw new Error(`notifications/initialized: HTTP ${done.status}`);
  }

  /** One `tools/call`; resolves with its result (throws on a JSON-RPC error or a wrong id). */
  async callTool(name, args) {
    const id = this.nextId++;
    const r = await this.post({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
    if (r.status !== 200) throw new Error(`tools/call: HTTP ${r.status}: ${r.body}`);
    const m = r.messages.find((x) => x.id === id);
    if (m === undefined) throw new Error(`tools/call: no response with id ${id} in ${r.body}`);
    if (m.error) throw new Error(`tools/call: ${JSON.stringify(m.error)}`);
    return m.result;
  }

  async post(message) {
    if (this.socket === undefined) await this.open();
    const body = JSON.stringify(message);
    const head =
      `POST ${this.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
      "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n" +
      (this.session !== undefined ? `Mcp-Session-Id: ${this.session}\r\nMcp-Protocol-Version: ${PROTOCOL}\r\n` : "") +
      this.extra +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sentAt = performance.now();
      this.lastBody = body;
      this.socket.write(head + body);
    });
  }

  fail(e) {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const r = parseResponse(this.buf);
      if (r === undefined) return;
      this.buf = this.buf.subarray(r.consumed);
      const w = this.waiting;
      this.waiting = undefined;
      if (w === undefined) throw new Error("a response nobody asked for");
      w.resolve(r);
    }
  }

  close() {
    clearInterval(this.watchdog);
    const done = this.session !== undefined ? this.remove() : Promise.resolve();
    return done.finally(() => {
      this.socket?.removeAllListeners("close");
      this.socket?.destroy();
    });
  }

  /** DELETE the session (what an SDK client does on close). */
  async remove() {
    if (this.socket === undefined) await this.open();
    const head =
      `DELETE ${this.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nMcp-Session-Id: ${this.session}\r\n` +
      `Mcp-Protocol-Version: ${PROTOCOL}\r\n${this.extra}Content-Length: 0\r\n\r\n`;
    return new Promise((resolve) => {
      this.waiting = { resolve, reject: resolve };
      this.sentAt = performance.now();
      this.lastBody = "DELETE";
      this.socket.write(head);
    });
  }
}

/** Parses one complete HTTP/1.1 response at the start of `buf`, or undefined if it is not all there yet. */
function parseResponse(buf) {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return undefined;
  const lines = buf.toString("latin1", 0, end).split("\r\n");
  const status = Number(lines[0].split(" ", 3)[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(":");
    headers[lines[i].slice(0, c).toLowerCase()] = lines[i].slice(c + 1).trim();
  }
  let pos = end + 4;
  let body;
  if (headers["content-length"] !== undefined) {
    const n = Number(headers["content-length"]);
    if (buf.length < pos + n) return undefined;
    body = buf.toString("utf8", pos, pos + n);
    pos += n;
  } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const parts = [];
    for (;;) {
      const le = buf.indexOf("\r\n", pos);
      if (le < 0) return undefined;
      const size = Number.parseInt(buf.toString("latin1", pos, le), 16);
      if (buf.length < le + 2 + size + 2) return undefined;
      if (size === 0) {
        pos = le + 4;
        break;
      }
      parts.push(buf.subarray(le + 2, le + 2 + size));
      pos = le + 2 + size + 2;
    }
    body = Buffer.concat(parts).toString("utf8");
  } else if (status === 204 || status === 304 || status < 200) {
    body = "";
  } else {
    throw new Error(`HTTP ${status} without a length: the bench client needs Content-Length or chunked`);
  }
  const type = headers["content-type"] ?? "";
  let messages = [];
  if (type.includes("text/event-stream")) {
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      if (data !== "") messages.push(JSON.parse(data));
    }
  } else if (type.includes("application/json") && body !== "") {
    const parsed = JSON.parse(body);
    messages = Array.isArray(parsed) ? parsed : [parsed];
  }
  return { status, headers, body, messages, consumed: pos };
}

export class StdioMcpClient {
  constructor(command, args) {
    this.child = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
    this.pending = new Map();
    this.nextId = 1;
    this.rest = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (d) => {
      const lines = (this.rest + d).split("\n");
      this.rest = lines.pop();
      for (const line of lines) {
        if (line.trim() === "") continue;
        const m = JSON.parse(line);
        const p = this.pending.get(m.id);
        if (p === undefined) continue; // a notification
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(JSON.stringify(m.error)));
        else p.resolve(m.result);
      }
    });
  }

  async connect() {
    await this.request("initialize", INIT(0).params);
    this.child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }

  callTool(name, args) {
    return this.request("tools/call", { name, arguments: args });
  }

  close() {
    const done = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.end();
    this.child.kill("SIGTERM");
    return done;
  }
}
