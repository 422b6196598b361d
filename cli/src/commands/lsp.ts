// `charter lsp --stdio` (or `--node-ipc`, `--socket=PORT`): runs the language server in this
// process. The server reads its transport from the arguments; this command only checks that one
// was given and points the diagnostics' links at the docs installed beside the CLI.

import { startServer } from "@charter/server";
import type { Command } from "commander";
import { packageRoot, UsageError } from "../io.js";

export function registerLsp(program: Command): void {
  program
    .command("lsp")
    .description("run the Charter language server (LSP) for editors")
    .option("--stdio", "speak LSP over standard input and output")
    .option("--node-ipc", "speak LSP over Node's IPC channel (when started by a Node client)")
    .option("--socket <port>", "speak LSP over a TCP socket on this port")
    .option("--clientProcessId <pid>", "exit when this process ends")
    .action((opts: { stdio?: boolean; nodeIpc?: boolean; socket?: string }) => {
      if (!opts.stdio && !opts.nodeIpc && !opts.socket)
        throw new UsageError("choose a transport: charter lsp --stdio (or --node-ipc, --socket=PORT)");
      // the open connection keeps the process alive; the server exits when its client goes away
      startServer({ docsRoot: packageRoot() });
    });
}
