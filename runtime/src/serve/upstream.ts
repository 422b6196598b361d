// One connection to a tool server, shared by every agent session that may see it: a stdio child started
// with the gateway's own environment plus the config's `env`, or a Streamable HTTP endpoint. It keeps the
// server's last published tool list (refreshed on `notifications/tools/list_changed` and on every agent
// listing), so a call is routed by name without asking the server first.
//
// A call to a stdio server goes past the SDK Client when the Client would add nothing to it (the tool has no
// output schema and does not require task execution): the Client's Protocol parses every response with zod three times
// (twice as a response envelope, once as a CallToolResult) and arms its own timer and abort listener. The
// call here keeps what the Client does — the same timeout, cancellation (notifications/cancelled with the
// reason) and errors (McpError with the server's code, message and data; "Connection closed" when the
// server goes away) — and checks the result by hand when it is plain text (the shape nearly every tool
// answers), by the SDK's CallToolResultSchema otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type JSONRPCMessage,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { UpstreamConfig } from "./config.js";
import type { CallAbort } from "./call-abort.js";
import { StdioUpstreamTransport } from "./stdio-transport.js";

/** How long a crashed stdio server waits before each restart: doubling from `firstMs` up to `maxMs`. */
export interface RestartBackoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: RestartBackoff = { firstMs: 250, maxMs: 30_000 };

export class Upstream {
  client = new Client({ name: "charter-serve", version: "0.1.0" });
  tools = new Map<string, Tool>();
  /** Set when the server could not be started or reached; the upstream's tools are then absent. */
  failure: string | undefined;
  /**
   * Set while a stdio server that was running is down (it exited; a restart is due): its tools stay
   * routed, and calls to them are refused as unavailable until it is back.
   */
  down: string | undefined;
  private listing: Promise<Map<string, Tool>> | undefined;
  /** called after the tool list changed (a refresh found different definitions) */
  onToolsChanged: (() => void) | undefined;
  /** called when a running stdio server exits (`inMs`: when it is restarted) and when it is back */
  onExit: ((reason: string, inMs: number) => void) | undefined;
  onRestart: ((attempt: number) => void) | undefined;
  private closing = false;
  /** the connection's transport when it is stdio (calls go past the Client then) */
  private stdio: StdioUpstreamTransport | undefined;
  /** calls sent past the Client so far (they also number the calls' ids) */
  directCalls = 0;
  private attempts = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly config: UpstreamConfig,
    private readonly backoff: RestartBackoff = DEFAULT_BACKOFF,
  ) {}

  get name(): string {
    return this.config.name;
  }

  async start(): Promise<void> {
    try {
      await this.connect();
      await this.refresh();
    } catch (e) {
      this.failure = (e as Error).message || String(e);
      this.tools = new Map();
    }
  }

  private async connect(): Promise<void> {
    const client = new Client({ name: "charter-serve", version: "0.1.0" });
    const transport = transportOf(this.config);
    await client.connect(transport);
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      await this.refresh().catch(() => undefined);
    });
    this.client = client;
    this.stdio = transport instanceof StdioUpstreamTransport ? transport : undefined;
    if (transport instanceof StdioUpstreamTransport) {
      // the SDK client chains its own onclose before ours; ours restarts a server that went away by itself
      const previous = transport.onclose;
      transport.onclose = () => {
        previous?.();
        if (!this.closing && this.client === client) this.exited(`its process exited (pid ${transport.pid ?? "?"})`);
      };
    }
  }

  private exited(reason: string): void {
    if (this.restartTimer !== undefined || this.closing) return;
    const inMs = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** this.attempts);
    this.down = reason;
    this.onExit?.(reason, inMs);
    this.restartTimer = setTimeout(() => void this.restart(), inMs);
    this.restartTimer.unref?.();
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (this.closing) return;
    this.attempts++;
    try {
      await this.connect();
      await this.refresh();
      const attempt = this.attempts;
      this.down = undefined;
      this.attempts = 0;
      this.onRestart?.(attempt);
    } catch (e) {
      if (!this.closing) this.exited(`it could not be restarted: ${(e as Error).message || String(e)}`);
    }
  }

  /** Lists every page of the server's tools; concurrent callers share one listing. */
  refresh(): Promise<Map<string, Tool>> {
    if (this.failure !== undefined) return Promise.resolve(this.tools);
    this.listing ??= (async () => {
      try {
        const tools = new Map<string, Tool>();
        let cursor: string | undefined;
        do {
          const page = await this.client.listTools(cursor ? { cursor } : undefined);
          for (const t of page.tools) tools.set(t.name, t);
          cursor = page.nextCursor;
        } while (cursor);
        const changed = !sameTools(this.tools, tools);
        this.tools = tools;
        if (changed) this.onToolsChanged?.();
        return tools;
      } finally {
        this.listing = undefined;
      }
    })();
    return this.listing;
  }

  /** `tools/call` of `name`, as `client.callTool` answers it (see the top of this file). */
  callTool(name: string, args: Record<string, unknown> | undefined, withdrawn: CallAbort, timeoutMs: number): Promise<CallToolResult> {
    const t = this.stdio;
    const tool = this.tools.get(name);
    // what Client.callTool adds: an output schema's validation, the refusal of a task-only tool
    if (t === undefined || tool === undefined || tool.outputSchema !== undefined || tool.execution?.taskSupport === "required")
      return this.client.callTool({ name, ...(args !== undefined ? { arguments: args } : {}) }, undefined, {
        signal: withdrawn.signal,
        timeout: timeoutMs,
      }) as Promise<CallToolResult>;
    return new Promise<CallToolResult>((resolve, reject) => {
      if (withdrawn.aborted) throw withdrawn.reason; // as signal.throwIfAborted() in the Client
      const id = `charter-${++this.directCalls}`;
      const settled = (): void => {
        unsubscribe();
        clearTimeout(timer);
      };
      // as the SDK's Protocol cancels a request: tell the server, and fail with the reason
      const cancel = (reason: unknown): void => {
        settled();
        t.forgetDirect(id);
        t.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason: String(reason) } }).catch(
          () => undefined,
        );
        reject(reason instanceof McpError ? reason : new McpError(ErrorCode.RequestTimeout, String(reason)));
      };
      const unsubscribe = withdrawn.onAbort(() => cancel(withdrawn.reason));
      const timer = setTimeout(
        () => cancel(McpError.fromError(ErrorCode.RequestTimeout, "Request timed out", { timeout: timeoutMs })),
        timeoutMs,
      );
      const request = {
        jsonrpc: "2.0" as const,
        id,
        method: "tools/call",
        params: { name, ...(args !== undefined ? { arguments: args } : {}) },
      };
      t.sendDirect(request, (answer) => {
        settled();
        if (answer instanceof Error) return reject(answer);
        const m = answer as JSONRPCMessage & { result?: unknown; error?: { code: number; message: string; data?: unknown } };
        if (m.error !== undefined) return reject(McpError.fromError(m.error.code, m.error.message, m.error.data));
        const result = toolResultOf(m.result);
        if (result instanceof Error) reject(result);
        else resolve(result);
      }).catch((e: Error) => {
        settled();
        reject(e);
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    await this.client.close().catch(() => undefined);
  }
}

/** The result as the SDK's CallToolResultSchema gives it, or the schema's error. */
function toolResultOf(result: unknown): CallToolResult | Error {
  if (isPlainTextResult(result)) return result;
  const parsed = CallToolResultSchema.safeParse(result);
  return parsed.success ? parsed.data : parsed.error;
}

/**
 * `{ content: [{ type: "text", text }…], isError? }` and nothing else: what the schema would pass as it is
 * (a key it strips or defaults, annotations, other content types go to the schema).
 */
function isPlainTextResult(r: unknown): r is CallToolResult {
  if (r === null || typeof r !== "object" || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  for (const k in o) if (k !== "content" && k !== "isError") return false;
  if (o.isError !== undefined && typeof o.isError !== "boolean") return false;
  if (!Array.isArray(o.content)) return false;
  for (const item of o.content as unknown[]) {
    if (item === null || typeof item !== "object") return false;
    const c = item as Record<string, unknown>;
    if (c.type !== "text" || typeof c.text !== "string") return false;
    for (const k in c) if (k !== "type" && k !== "text") return false;
  }
  return true;
}

function sameTools(a: Map<string, Tool>, b: Map<string, Tool>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of b) {
    const o = a.get(name);
    if (o === undefined || JSON.stringify(o) !== JSON.stringify(t)) return false;
  }
  return true;
}

function transportOf(config: UpstreamConfig): Transport {
  if (config.url !== undefined) return new StreamableHTTPClientTransport(new URL(config.url));
  const [command, ...args] = config.command!;
  // The SDK passes only a few "safe" variables by default; a tool server configured by its environment
  // (MEMORY_FILE_PATH, API endpoints) needs the gateway's own, plus what the config adds.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, config.env);
  return new StdioUpstreamTransport({ command: command!, args, env, stderr: "inherit", ...(config.cwd ? { cwd: config.cwd } : {}) });
}
