// The Charter language server: a thin adapter that wires LSP requests to the language core. It
// decides nothing itself: diagnostics, fixes and formatting come from language/, editor services
// from language/src/ide. The transport (--stdio, --node-ipc, --socket=N) is read from argv.

import { ProposedFeatures, TextDocuments, TextDocumentSyncKind, createConnection, type InitializeResult } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { Analyses } from "./analysis.js";
import { docsLinker } from "./convert.js";
import { BUNDLE_COMMAND, registerEditing } from "./features/editing.js";
import { registerNavigation } from "./features/navigation.js";
import { registerPresentation, SEMANTIC_LEGEND } from "./features/presentation.js";
import { DEFAULT_DEBOUNCE_MS, DiagnosticsPublisher } from "./publish.js";
import { Requests } from "./requests.js";

export { DEFAULT_DEBOUNCE_MS };

export interface ServerOptions {
  /** the folder holding docs/diagnostics/, for the diagnostics' code descriptions */
  docsRoot?: string;
}

/** What a client may pass as `initializationOptions`. */
export interface InitializationOptions {
  /** pause after an edit before diagnostics are pushed (default 150) */
  debounceMs?: number;
  /** YYYY-MM-DD to use as today for review ages (tests and benchmarks) */
  today?: string;
}

export function startServer(options: ServerOptions = {}): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const openedVersions = new Map<string, number>();
  const docsHref = docsLinker(options.docsRoot);
  const analyses = new Analyses();
  const requests = new Requests(connection, documents, analyses);
  connection.onShutdown(() => {
    requests.shuttingDown = true;
  });
  const publisher = new DiagnosticsPublisher(connection, documents, analyses, docsHref);

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    const today = typeof init.today === "string" && /^\d{4}-\d{2}-\d{2}$/.test(init.today) ? init.today : undefined;
    analyses.configure(today ? { today } : {});
    publisher.debounceMs = typeof init.debounceMs === "number" && init.debounceMs >= 0 ? init.debounceMs : DEFAULT_DEBOUNCE_MS;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [" ", ","], resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix"] },
        codeLensProvider: { resolveProvider: false },
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        executeCommandProvider: { commands: [BUNDLE_COMMAND] },
      },
      serverInfo: { name: "charter", version: "0.1.0" },
    };
  });

  registerPresentation(connection, requests, analyses);
  registerNavigation(connection, requests);
  registerEditing(connection, requests, docsHref);

  // opening a document also fires onDidChangeContent: publish at once for the first version only
  documents.onDidChangeContent((e) =>
    e.document.version === openedVersions.get(e.document.uri) ? publisher.publish(e.document.uri) : publisher.schedule(e.document.uri),
  );
  documents.onDidOpen((e) => openedVersions.set(e.document.uri, e.document.version));
  documents.onDidClose((e) => {
    openedVersions.delete(e.document.uri);
    analyses.forget(e.document.uri);
    publisher.clear(e.document.uri);
  });

  // with IPC there is no stdin to end: leave when the parent's channel closes
  process.on("disconnect", () => process.exit(0));
  documents.listen(connection);
  connection.listen();
}
