// The VS Code side of Charter: starts the language server bundled in dist/server.js over Node IPC
// and adds the one thing the server cannot do, writing files: "Charter: Build Bundle of This Policy".

import { dirname, basename, join } from "node:path";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

// kept in step with server/src (BUNDLE_COMMAND): the extension bundles no server code of its own
const BUNDLE_COMMAND = "charter.server.bundle";
type BundleAnswer = { ok: true; json: string; digest: string } | { ok: false; errors: number; messages: string[] };

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(join("dist", "server.js"));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  const output = vscode.window.createOutputChannel("Charter", { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "charter" },
      { scheme: "untitled", language: "charter" },
    ],
    initializationOptions: { debounceMs: vscode.workspace.getConfiguration("charter").get<number>("diagnostics.debounceMs", 150) },
    outputChannel: output,
  };
  client = new LanguageClient("charter", "Charter", serverOptions, clientOptions);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("charter.buildBundle", () => buildBundle()),
    vscode.commands.registerCommand("charter.restartServer", () => client?.restart()),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** Asks the server for the open policy's bundle and saves it beside the policy. */
async function buildBundle(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== "charter") {
    void vscode.window.showWarningMessage("Charter: open a .charter policy first.");
    return;
  }
  if (!client) return;
  const doc = editor.document;
  const answer = (await client.sendRequest("workspace/executeCommand", {
    command: BUNDLE_COMMAND,
    arguments: [doc.uri.toString()],
  })) as BundleAnswer | null;
  if (!answer) return;
  if (!answer.ok) {
    void vscode.window.showErrorMessage(`Charter: not compiled, the policy has ${answer.errors} error(s). ${answer.messages[0] ?? ""}`);
    await vscode.commands.executeCommand("workbench.actions.view.problems");
    return;
  }
  const name = basename(doc.fileName).replace(/\.charter$/, "") || "policy";
  const target = doc.isUntitled
    ? await vscode.window.showSaveDialog({ filters: { "Charter bundle": ["json"] } })
    : vscode.Uri.file(join(dirname(doc.fileName), `${name}.bundle.json`));
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(answer.json, "utf8"));
  void vscode.window.showInformationMessage(`Charter: wrote ${vscode.workspace.asRelativePath(target)} (${answer.digest})`);
}
