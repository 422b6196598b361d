// The gateway's end of a stdio tool server: newline-delimited JSON-RPC on the child's stdin/stdout, as the
// SDK's StdioClientTransport speaks it, with two differences that matter when many agents share one child:
// - messages sent in the same turn of the event loop leave in one write (one syscall, one wake-up of the
//   child) instead of one write each — calls from many sessions are pipelined on the one connection;
// - an incoming line is checked for the JSON-RPC envelope by hand instead of by the SDK's zod schema; the
//   payload is still validated where it is used (the Client parses every result with its result schema);
// - a request may be sent past the Client (`sendDirect`, Upstream.callTool): its answer, matched by an id
//   the Client never uses (a string), goes back to the sender instead of through the Client's Protocol.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { type ChildProcess, spawn } from "node:child_process";

export interface StdioParams {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** where the child's stderr goes (default: the gateway's) */
  stderr?: "inherit" | "ignore";
}

const MAX_LINE = 64 * 1024 * 1024;

export class StdioUpstreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | undefined;
  private queue: string[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private partial = "";
  private closed = false;
  /** requests sent with sendDirect, by id: their answers bypass the Client */
  private direct = new Map<string, (answer: JSONRPCMessage | Error) => void>();

  constructor(private readonly params: StdioParams) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child !== undefined) throw new Error("the stdio transport is already started");
    return new Promise((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args, {
        env: this.params.env,
        stdio: ["pipe", "pipe", this.params.stderr ?? "inherit"],
        shell: false,
        ...(this.params.cwd !== undefined ? { cwd: this.params.cwd } : {}),
      });
      this.child = child;
      child.once("error", (e) => {
        reject(e);
        this.onerror?.(e);
      });
      child.once("spawn", () => resolve());
      child.once("close", () => this.finish());
      child.stdin!.on("error", (e) => this.onerror?.(e));
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (text: string) => this.read(text));
      child.stdout!.on("error", (e) => this.onerror?.(e));
    });
  }

  private read(text: string): void {
    let start = 0;
    let data = this.partial + text;
    this.partial = "";
    for (;;) {
      const nl = data.indexOf("\n", start);
      if (nl < 0) break;
      const line = data.slice(start, nl);
      start = nl + 1;
      this.deliver(line);
    }
    data = data.slice(start);
    if (data.length > MAX_LINE) {
      this.onerror?.(new Error(`the tool server wrote a line longer than ${MAX_LINE} bytes; it is dropped`));
      data = "";
    }
    this.partial = data;
  }

  private deliver(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    let m: unknown;
    try {
      m = JSON.parse(line);
    } catch (e) {
      this.onerror?.(new Error(`the tool server wrote a line that is not JSON: ${(e as Error).message}`));
      return;
    }
    if (!isJsonRpcMessage(m)) {
      this.onerror?.(new Error(`the tool server wrote a line that is not a JSON-RPC 2.0 message: ${line.slice(0, 200)}`));
      return;
    }
    const id = (m as { id?: unknown }).id;
    if (typeof id === "string" && this.direct.size > 0 && !("method" in m)) {
      const answer = this.direct.get(id);
      if (answer !== undefined) {
        this.direct.delete(id);
        answer(m);
        return;
      }
    }
    this.onmessage?.(m);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (this.closed || stdin == null || !stdin.writable) return Promise.reject(new Error("the tool server is not running"));
    this.queue.push(JSON.stringify(message) + "\n");
    this.flushing ??= setImmediate(this.flush);
    return Promise.resolve();
  }

  /**
   * Sends `message` (a request with a string id) past the Client: its response, or the Error that ends it
   * (the server went away), goes to `answer`. `forgetDirect` withdraws it (cancelled, timed out).
   */
  sendDirect(message: JSONRPCMessage & { id: string }, answer: (response: JSONRPCMessage | Error) => void): Promise<void> {
    this.direct.set(message.id, answer);
    return this.send(message).catch((e: Error) => {
      this.direct.delete(message.id);
      throw e;
    });
  }

  forgetDirect(id: string): void {
    this.direct.delete(id);
  }

  private readonly flush = (): void => {
    this.flushing = undefined;
    const stdin = this.child?.stdin;
    const text = this.queue.length === 1 ? this.queue[0]! : this.queue.join("");
    this.queue = [];
    if (stdin == null || !stdin.writable) return;
    stdin.write(text);
  };

  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.closed) return;
    if (this.flushing !== undefined) {
      clearImmediate(this.flushing);
      this.flush();
    }
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once("close", () => r());
    });
    const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
    try {
      child.stdin?.end();
    } catch {
      // already closed
    }
    await Promise.race([exited, wait(2000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, wait(2000)]);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.queue = [];
    // as the SDK's Protocol ends the Client's requests when its transport closes
    const waiting = [...this.direct.values()];
    this.direct.clear();
    for (const answer of waiting) answer(new McpError(ErrorCode.ConnectionClosed, "Connection closed"));
    this.onclose?.();
  }
}

/** The JSON-RPC 2.0 envelope: a request, a notification, a result or an error (what the SDK's schema checks). */
function isJsonRpcMessage(m: unknown): m is JSONRPCMessage {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== "2.0") return false;
  const id = o.id;
  const idOk = typeof id === "string" || (typeof id === "number" && Number.isInteger(id));
  if (typeof o.method === "string") {
    if (o.params !== undefined && (o.params === null || typeof o.params !== "object")) return false;
    return id === undefined || idOk;
  }
  if ("result" in o) return idOk && o.result !== null && typeof o.result === "object" && !Array.isArray(o.result) && !("error" in o);
  if (id !== undefined && !idOk) return false;
  const e = o.error as Record<string, unknown> | undefined;
  return e !== null && typeof e === "object" && typeof e.code === "number" && Number.isInteger(e.code) && typeof e.message === "string";
}
