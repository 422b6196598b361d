// Starting an MCP tool server named on the command line (the words after `--`), for `gateway`, `pins`
// and `init --from-mcp`. The server's stderr is passed through so its own start-up errors reach the user.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { UsageError } from "./io.js";

/**
 * The server gets the caller's own environment (the SDK alone would pass only a few "safe" variables,
 * and a server that needs MEMORY_FILE_PATH or an API key would silently misbehave) plus `extra`.
 */
export function toolServer(command: string[], extra: Record<string, string> = {}): StdioClientTransport {
  const [cmd, ...args] = command;
  if (cmd === undefined) throw new UsageError("name the tool server to start after --, e.g. charter pins -- node server.js");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, extra);
  return new StdioClientTransport({ command: cmd, args, env, stderr: "inherit" });
}

export interface PublishedTools {
  /** what the server says it is (its `initialize` answer), when it says */
  server: { name: string; version: string } | undefined;
  /** every tool of `tools/list`, all pages, sorted by name */
  tools: Tool[];
}

/** Starts the server, asks it for its tools (following `nextCursor`), and stops it again. */
export async function listPublishedTools(command: string[], clientName: string): Promise<PublishedTools> {
  const client = new Client({ name: clientName, version: "0.1.0" });
  await client.connect(toolServer(command)).catch((e: Error) => {
    throw new UsageError(`cannot start the tool server '${command.join(" ")}': ${e.message}`);
  });
  try {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const answer = await client.listTools(cursor === undefined ? {} : { cursor }).catch((e: Error) => {
        throw new UsageError(`the tool server '${command.join(" ")}' did not answer tools/list: ${e.message}`);
      });
      tools.push(...answer.tools);
      cursor = answer.nextCursor;
      if (cursor === undefined) break;
    }
    const info = client.getServerVersion();
    return {
      server: info ? { name: info.name, version: info.version } : undefined,
      tools: tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  } finally {
    await client.close();
  }
}
