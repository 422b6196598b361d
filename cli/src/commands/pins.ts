// `charter pins [--format text|json] -- COMMAND…`: what an MCP server publishes, with the digest of each
// tool for `pin` in a policy. Text: one `NAME DIGEST` a line. JSON: the published definitions too, so a
// reviewer (or `charter init --from-mcp`) sees exactly what the digest covers.

import { toolDefinitionDigest } from "@charter/runtime/gateway";
import type { Command } from "commander";
import { UsageError } from "../io.js";
import { listPublishedTools } from "../tool-server.js";

export function registerPins(program: Command): void {
  program
    .command("pins")
    .description("print the sha256 digest of each tool an MCP server publishes, for `pin` in a policy")
    .option("--format <format>", "text (NAME DIGEST a line) or json ([{name, description, inputSchema, annotations, digest}])", "text")
    .argument("<command...>", "the tool server to start, after --")
    .action(async (command: string[], opts: { format: string }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new UsageError(`--format must be text or json, not '${opts.format}'`);
      const { tools } = await listPublishedTools(command, "charter-pins");
      if (opts.format === "json") {
        const json = tools.map((t) => ({
          name: t.name,
          description: t.description ?? null,
          inputSchema: t.inputSchema ?? null,
          annotations: t.annotations ?? null,
          digest: toolDefinitionDigest(t),
        }));
        process.stdout.write(JSON.stringify(json, null, 2) + "\n");
      } else for (const t of tools) process.stdout.write(`${t.name} ${toolDefinitionDigest(t)}\n`);
    });
}
