// A real JSON-RPC client for the protocol tests and the benchmark's shape: spawns
// `node cli/bin/charter.js lsp --stdio`, speaks LSP through vscode-languageserver-protocol and
// collects every publishDiagnostics by URI and version.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";

export const ROOT = join(import.meta.dirname, "../..");

export interface LspSession {
  conn: ProtocolConnection;
  proc: ChildProcessWithoutNullStreams;
  stderr: () => string;
  /** resolves with the exit code once the server process has ended */
  exited: Promise<number | null>;
  /** resolves with the first publication for `uri` (at `version`, when given) */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]>;
  open(path: string, text?: string): Promise<{ uri: string; text: string; diagnostics: Diagnostic[] }>;
  close(): Promise<number | null>;
}

export function exampleUri(path: string): string {
  return pathToFileURL(join(ROOT, path)).href;
}

export async function startSession(init: Record<string, unknown> = { debounceMs: 0, today: "2026-11-14" }): Promise<LspSession> {
  if (!existsSync(join(ROOT, "cli/dist/charter.mjs")))
    throw new Error("cli/dist/charter.mjs is missing: run `node scripts/build.mjs` (npm test does)");
  const proc = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "lsp", "--stdio"], { cwd: ROOT });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; version: number | undefined; resolve: (d: Diagnostic[]) => void }[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && (w.version === undefined || w.version === p.version)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(ROOT).href,
    capabilities: {},
    initializationOptions: init,
  });
  await conn.sendNotification(InitializedNotification.type, {});
  const session: LspSession = {
    conn,
    proc,
    stderr: () => stderr,
    exited,
    diagnostics(uri, version) {
      const seen = published.find((p) => p.uri === uri && (version === undefined || p.version === version));
      if (seen) return Promise.resolve(seen.diagnostics);
      return new Promise((resolve) => waiters.push({ uri, version, resolve }));
    },
    async open(path, text) {
      const uri = exampleUri(path);
      const body = text ?? readFileSync(join(ROOT, path), "utf8");
      await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "charter", version: 1, text: body } });
      return { uri, text: body, diagnostics: await session.diagnostics(uri, 1) };
    },
    async close() {
      await conn.sendRequest("shutdown");
      await conn.sendNotification("exit");
      const code = await exited;
      conn.dispose();
      return code;
    },
  };
  return session;
}
