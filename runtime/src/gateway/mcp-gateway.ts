// An MCP gateway: a stdio (or any transport) MCP server that stands in front of a real MCP tool server.
// The agent sees only the tools its policy grants; every tools/call is authorized by the guard first, and
// every result is ingested as untrusted content (of the tool's `returns` source, else the configured one),
// its parts scored together, and passed through the output filter before the agent sees it. Tool
// definitions are scored as content before they are listed. Content the gateway cannot inspect (images,
// audio) is withheld rather than passed on unchecked; structured output is checked as its JSON text.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { canonicalJson, sha256Hex } from "@charter/language";
import { randomUUID } from "node:crypto";
import type { AuditLog } from "../audit/audit-log.js";
import type { DecisionRule } from "../guard/decision.js";
import type { Guard } from "../guard/guard.js";
import { inspectToolResult, refusal, resultSourceOf, scoreDefinition } from "./inspect-content.js";

export interface GatewayOptions {
  guard: Guard;
  /** The agent (of the guard's bundle) whose calls pass through this gateway. */
  agent: string;
  /** Session id for rate windows, sequences and audit records (default: a random UUID per gateway). */
  session?: string;
  /** A transport to the real tool server, e.g. a StdioClientTransport that spawns it. */
  upstream: Transport;
  /** The bundle source tool results come from (e.g. "api"); its threshold decides what is refused. */
  resultSource: string;
  /** Run results through the agent's output rules (pii, exfiltration); default true. */
  filterResults?: boolean;
  /** The guard's audit log, for the record of a withheld tool definition (naming the tool). */
  audit?: AuditLog;
  /** While a call waits (for approval), a progress notification this often when the client sent a progressToken (default 10 000 ms). */
  progressIntervalMs?: number;
}

export interface Gateway {
  server: Server;
  client: Client;
  /** Serves the agent over `downstream` (a StdioServerTransport for a real deployment). */
  connect(downstream: Transport): Promise<void>;
  close(): Promise<void>;
}

/**
 * The digest a policy's `pin` names: SHA-256 of the canonical JSON of the tool's published definition
 * (name, description, input schema). A tool server that changes what a pinned tool says it does,
 * a "rug pull", no longer matches, and the gateway stops offering and calling that tool.
 */
export function toolDefinitionDigest(tool: Pick<Tool, "name" | "description" | "inputSchema">): string {
  return (
    "sha256:" + sha256Hex(canonicalJson({ name: tool.name, description: tool.description ?? null, inputSchema: tool.inputSchema ?? null }))
  );
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { guard, agent, resultSource } = options;
  const session = options.session ?? randomUUID();
  const filterResults = options.filterResults ?? true;
  const agentTools = Object.hasOwn(guard.bundle.agents, agent) ? guard.bundle.agents[agent]!.tools : {};
  const pinOf = (name: string): string | null => (Object.hasOwn(agentTools, name) ? agentTools[name]!.pin : null);
  /** pinned tools whose published definition was last seen matching its pin */
  const pinMatched = new Set<string>();
  /** definition digest → admitted? (scored once per definition; a withheld one is audited once) */
  const verdicts = new Map<string, boolean>();
  const withheld = new Set<string>();
  const definitionAdmitted = (t: Tool): boolean => {
    const key = toolDefinitionDigest(t);
    let ok = verdicts.get(key);
    if (ok === undefined) {
      ok = scoreDefinition(guard, options.audit ?? null, agent, resultSource, session, t).ok;
      verdicts.set(key, ok);
    }
    if (ok) withheld.delete(t.name);
    else withheld.add(t.name);
    return ok;
  };
  const client = new Client({ name: "charter-gateway", version: "0.1.0" });
  await client.connect(options.upstream);
  const server = new Server({ name: "charter-gateway", version: "0.1.0" }, { capabilities: { tools: {} } });

  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const listed = await client.listTools(request.params);
    const tools: Tool[] = [];
    for (const t of listed.tools) {
      if (!guard.isGranted(agent, t.name)) continue;
      const pin = pinOf(t.name);
      if (pin !== null) {
        if (toolDefinitionDigest(t) !== pin) {
          pinMatched.delete(t.name);
          continue;
        }
        pinMatched.add(t.name);
      }
      if (!definitionAdmitted(t)) continue;
      // Structured output is folded into the text (it is inspected there), so its schema must not be promised.
      const { outputSchema: _outputSchema, ...rest } = t;
      tools.push(rest);
    }
    return { tools, ...(listed.nextCursor ? { nextCursor: listed.nextCursor } : {}) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    // a pinned tool is called only after its definition was seen matching the pin
    if (pinOf(name) !== null && !pinMatched.has(name)) {
      const d = guard.refuse(
        { agent, session, tool: name, args },
        "pin",
        `the published definition of ${name} does not match the policy's pin`,
      );
      return refusal(`Charter refused ${name}: ${d.reason} (list the tools again, or review the new definition and re-pin it)`);
    }
    if (withheld.has(name)) {
      const d = guard.refuse(
        { agent, session, tool: name, args },
        "definition" as DecisionRule,
        `the definition of ${name} looks like a prompt injection and is withheld`,
      );
      return refusal(`Charter refused ${name}: ${d.reason}`);
    }
    // the client cancelling (notifications/cancelled) or going away withdraws a pending approval; while
    // the call waits, progress notifications keep a client that asked for them from timing out
    const progressToken = request.params._meta?.progressToken;
    let beats = 0;
    const beat =
      progressToken === undefined
        ? undefined
        : setInterval(() => {
            void extra
              .sendNotification({
                method: "notifications/progress",
                params: { progressToken, progress: ++beats, message: "waiting for approval" },
              })
              .catch(() => {});
          }, options.progressIntervalMs ?? 10_000);
    let decision: Awaited<ReturnType<Guard["authorize"]>>;
    try {
      decision = await guard.authorize({ agent, session, tool: name, args, signal: extra.signal });
    } finally {
      if (beat !== undefined) clearInterval(beat);
    }
    if (decision.outcome !== "allow") return refusal(`Charter refused ${name}: ${decision.reason}`);
    let upstream: CallToolResult;
    try {
      upstream = (await client.callTool({ name, ...(args !== undefined ? { arguments: args } : {}) })) as CallToolResult;
    } catch (e) {
      return refusal(`the tool server failed on ${name}: ${(e as Error).message}`);
    }
    const source = resultSourceOf(guard, agent, name, resultSource);
    return inspectToolResult({ guard, agent, session, source, filter: filterResults }, name, upstream);
  });

  return {
    server,
    client,
    connect: (downstream) => server.connect(downstream),
    close: async () => {
      await server.close();
      await client.close();
    },
  };
}
