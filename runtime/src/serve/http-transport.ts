// The MCP SDK's Streamable HTTP server transport, fed from node:http without a web-standard round trip.
// The SDK's Node class (StreamableHTTPServerTransport) wraps its web-standard core in @hono/node-server,
// which builds a full `Request` (body stream included) for every POST and writes the `Response` back in
// pieces (headers, then every chunk). Serve reads and parses the body itself, so the core only needs the
// method, the URL and the headers: a read-only view over the IncomingMessage gives it those, and the
// response — an SSE stream that usually holds one event — leaves in one write when it is already complete,
// and streams otherwise (progress notifications while a call waits for a human).
import type { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What the SDK transport reads of a request when the body comes parsed (`parsedBody`): `method`, `url`
 * and `headers.get` / `headers.entries`. Reading the body itself is refused, so a change in the SDK that
 * starts to need more fails loudly in the tests instead of hanging.
 */
class NodeHeaders {
  constructor(private readonly raw: IncomingMessage["headers"]) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(", ") : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const [k, v] of Object.entries(this.raw)) if (v !== undefined) yield [k, Array.isArray(v) ? v.join(", ") : v];
  }
  forEach(f: (value: string, key: string) => void): void {
    for (const [k, v] of this.entries()) f(v, k);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

function requestView(req: IncomingMessage): Request {
  const view = {
    method: req.method ?? "GET",
    url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
    headers: new NodeHeaders(req.headers),
    get body(): never {
      throw new Error("charter serve: the request body is parsed before it reaches the MCP transport");
    },
  };
  return view as unknown as Request;
}

/** Hands one request to the SDK transport (`parsedBody`: the POST's JSON) and writes its answer to `res`. */
export async function handleWithTransport(
  transport: WebStandardStreamableHTTPServerTransport,
  req: IncomingMessage,
  res: ServerResponse,
  parsedBody: unknown,
): Promise<void> {
  const response = await transport.handleRequest(requestView(req), parsedBody !== undefined ? { parsedBody } : undefined);
  await writeResponse(req, response, res);
}

/** A POST's answer that is not complete by then gets its headers and streams (a call waiting for a human). */
export const HEADERS_WITHIN_MS = 1000;

async function writeResponse(req: IncomingMessage, response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const body = response.body;
  if (body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = body.getReader();
  // the client went away: cancel the stream, which releases the transport's mapping of its requests
  const onClose = (): void => {
    if (!res.writableFinished) reader.cancel().catch(() => undefined);
  };
  res.once("close", onClose);
  // Chunks that arrive together are held until the stream either ends (one write: headers, body, length)
  // or pauses for a turn of the event loop (then it streams, chunk by chunk, as SSE). A stream that has
  // said nothing yet gets its headers after HEADERS_WITHIN_MS (a call waiting for a human), and a GET
  // (the standalone notification stream) at once.
  let pending: Uint8Array[] = [];
  let streaming = false;
  let flush: NodeJS.Immediate | undefined;
  const startStreaming = (): void => {
    flush = undefined;
    if (streaming || res.destroyed) return;
    streaming = true;
    res.writeHead(response.status, headers);
    res.flushHeaders();
    for (const c of pending) res.write(c);
    pending = [];
  };
  if (req.method === "GET") startStreaming();
  const headersTimer = streaming ? undefined : setTimeout(startStreaming, HEADERS_WITHIN_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (streaming) res.write(value);
      else {
        pending.push(value);
        flush ??= setImmediate(startStreaming);
      }
    }
  } catch {
    // cancelled (the client left) or failed: end what was started
  } finally {
    res.off("close", onClose);
    clearTimeout(headersTimer);
  }
  if (flush !== undefined) clearImmediate(flush);
  if (res.destroyed) return;
  if (streaming) {
    res.end();
    return;
  }
  const whole = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
  headers["content-length"] = String(whole.byteLength);
  res.writeHead(response.status, headers);
  res.end(whole);
}
