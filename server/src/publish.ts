// Pushes diagnostics after changes, debounced per document. This is the server's hot path: on the
// timer it runs the checker once (shared with requests through Analyses) and maps the result; the
// published version lets the client drop a result that a newer edit has overtaken.

import type { Connection, TextDocuments } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Analyses } from "./analysis.js";
import { toLspDiagnostic, type DocsHref } from "./convert.js";

export const DEFAULT_DEBOUNCE_MS = 150;

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analyses: Analyses,
    private readonly docsHref: DocsHref,
  ) {}

  /** pause after an edit before checking (set from the client's initializationOptions) */
  debounceMs = DEFAULT_DEBOUNCE_MS;

  /** After an edit: wait for typing to pause, then publish (0 ms: on the next turn of the loop). */
  schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => this.publish(uri), this.debounceMs),
    );
  }

  publish(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    const doc = this.documents.get(uri);
    if (!doc) return;
    try {
      const a = this.analyses.of(doc);
      const diagnostics = a.check.diagnostics.map((d) => toLspDiagnostic(d, uri, this.docsHref));
      void this.connection.sendDiagnostics({ uri, version: a.version, diagnostics });
    } catch (e) {
      this.connection.console.error(`charter: checking ${uri} failed: ${(e as Error).stack ?? e}`);
    }
  }

  clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
