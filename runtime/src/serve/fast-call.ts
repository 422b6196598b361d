// The fast path of `charter serve`: a plain `tools/call` POST on an established session, answered by serve's
// own code instead of the SDK's Streamable HTTP transport, Server and Protocol. Those parse every message
// with zod three times over (the JSON-RPC envelope, `isInitializeRequest` twice, the request schema), build
// a web `Response` around a `ReadableStream`, arm a keep-alive interval and an abort controller per request:
// about as much CPU per call as everything serve itself does for it (policy, audit, upstream, inspection).
//
// The SDK stays the implementation of the protocol. The fast path takes only what it can answer exactly as
// the SDK would, and hands everything else on unchanged: initialize, GET streams, DELETE, notifications,
// batches, any other method, a request the SDK would refuse (wrong Accept or Content-Type, an unsupported
// protocol version, an invalid envelope or params), and a call that needs the request's stream for
// server-to-client messages (a progressToken) or the SDK's task machinery (`task`, a related task). What
// it answers is the SDK's answer byte for byte: status 200, the SDK's SSE headers (in the order the SDK's
// `Headers` gives them), one `event: message` with the JSON-RPC response, and the same JSON-RPC error shape
// when the handler fails (runtime/test/serve-fast-path.test.ts holds the two paths to each other).
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HEADERS_WITHIN_MS } from "./http-transport.js";

export interface FastCall {
  id: string | number;
  name: string;
  args: Record<string, unknown> | undefined;
  /** `_meta["charter/reasoning"]` when it is a string */
  reasoning: string | undefined;
}

const ENVELOPE_KEYS = new Set(["jsonrpc", "id", "method", "params"]);
const PARAM_KEYS = new Set(["name", "arguments", "_meta"]);
const RELATED_TASK = "io.modelcontextprotocol/related-task";

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The call, when `body` (parsed JSON) is one `tools/call` request the fast path answers identically to the
 * SDK, on a request whose headers the SDK accepts for session `sessionId`; otherwise undefined (the SDK
 * answers, and refuses what it refuses).
 */
export function fastToolCall(req: IncomingMessage, body: unknown, sessionId: string): FastCall | undefined {
  if (req.method !== "POST" || !isPlainObject(body)) return undefined;
  // the JSON-RPC request envelope (the SDK's schema is strict: no other keys)
  if (body.jsonrpc !== "2.0" || body.method !== "tools/call") return undefined;
  const id = body.id;
  if (typeof id !== "string" && !(typeof id === "number" && Number.isSafeInteger(id))) return undefined;
  for (const k in body) if (!ENVELOPE_KEYS.has(k)) return undefined;
  // the params of CallToolRequestSchema, and nothing the SDK would treat specially
  const params = body.params;
  if (!isPlainObject(params) || typeof params.name !== "string") return undefined;
  for (const k in params) if (!PARAM_KEYS.has(k)) return undefined;
  const args = params.arguments;
  // zod rebuilds a record key by key: an own `__proto__` key would not survive it
  if (args !== undefined && (!isPlainObject(args) || Object.hasOwn(args, "__proto__"))) return undefined;
  const meta = params._meta;
  let reasoning: string | undefined;
  if (meta !== undefined) {
    if (!isPlainObject(meta) || "progressToken" in meta || RELATED_TASK in meta) return undefined;
    const r = meta["charter/reasoning"];
    if (typeof r === "string") reasoning = r;
  }
  // the headers the SDK checks on a POST to an established session
  const h = req.headers;
  if (h["mcp-session-id"] !== sessionId) return undefined;
  const version = h["mcp-protocol-version"];
  if (typeof version !== "string" || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  const accept = h.accept;
  if (typeof accept !== "string" || !accept.includes("application/json") || !accept.includes("text/event-stream")) return undefined;
  if (!isJsonType(h["content-type"])) return undefined;
  return { id, name: params.name, args: args as Record<string, unknown> | undefined, reasoning };
}

/** `application/json`, optionally with a charset: the forms the SDK's media-type parser surely accepts. */
function isJsonType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  if (ct === "application/json") return true;
  return /^application\/json\s*;\s*charset=("?)utf-8\1$/i.test(ct);
}

/** The SDK's answer to a POST holding a request, as writeResponse hands it to node:http (sorted, lowercase). */
function sseHeaders(sessionId: string): Record<string, string> {
  return {
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "content-type": "text/event-stream",
    "mcp-session-id": sessionId,
    "x-accel-buffering": "no",
  };
}

const KEEP_ALIVE_MS = 15_000;

/**
 * The answer to one fast call, written the way http-transport.ts writes the SDK's SSE stream: the whole
 * answer in one write with its length when it is ready within HEADERS_WITHIN_MS, otherwise the headers then
 * (a call waiting for a human), the event when it comes, and the SDK's keep-alive comments meanwhile.
 */
export class FastAnswer {
  private streaming = false;
  private done = false;
  private headersTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  /** cancelled by the client (`notifications/cancelled`): like the SDK, nothing is answered */
  cancelled = false;

  /**
   * `gone`: the client hung up before the answer was written; `settled`: the answer is written or will
   * never be (either way the response is finished with).
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly sessionId: string,
    private readonly gone: () => void,
    private readonly settled: (a: FastAnswer) => void,
  ) {
    this.headersTimer = setTimeout(this.startStreaming, HEADERS_WITHIN_MS);
    res.once("close", this.onClose);
  }

  private readonly onClose = (): void => {
    if (this.stop()) this.gone();
  };

  private readonly startStreaming = (): void => {
    this.headersTimer = undefined;
    if (this.done || this.res.destroyed) return;
    this.streaming = true;
    this.res.writeHead(200, sseHeaders(this.sessionId));
    this.res.flushHeaders();
    this.keepAlive = setInterval(() => {
      if (!this.res.destroyed) this.res.write(": keepalive\n\n");
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  };

  /** Ends the answer's timers and listener; true the first time. */
  private stop(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.headersTimer !== undefined) clearTimeout(this.headersTimer);
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.res.off("close", this.onClose);
    this.settled(this);
    return true;
  }

  /** The JSON-RPC response; dropped when the call was cancelled (the SDK sends nothing then). */
  send(message: object): void {
    if (this.cancelled || !this.stop() || this.res.destroyed) return;
    const text = `event: message\ndata: ${JSON.stringify(message)}\n\n`;
    if (this.streaming) {
      this.res.end(text);
      return;
    }
    const headers = sseHeaders(this.sessionId) as Record<string, string>;
    headers["content-length"] = String(Buffer.byteLength(text));
    this.res.writeHead(200, headers);
    this.res.end(text);
  }

  /** The session closed under the call: the SDK closes the stream without an event. */
  end(): void {
    if (!this.stop() || this.res.destroyed) return;
    if (this.streaming) {
      this.res.end();
      return;
    }
    const headers = sseHeaders(this.sessionId);
    headers["content-length"] = "0";
    this.res.writeHead(200, headers);
    this.res.end();
  }
}

/** The JSON-RPC error the SDK's Protocol sends when a request handler throws. */
export function handlerError(id: string | number, error: unknown): object {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: Number.isSafeInteger(e.code) ? e.code : -32603,
      message: e.message ?? "Internal error",
      ...(e.data !== undefined && { data: e.data }),
    },
  };
}
