// How every request reaches a document's analysis: find the document (unknown → null), honour
// cancellation, and turn an unexpected exception into a logged error reply instead of a crash.
// Requests run in arrival order after the edits before them and synchronously, so each answer is
// computed on the version the client had when it asked; one cancelled while queued is refused.

import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type TextDocuments,
} from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Analyses, Analysis } from "./analysis.js";

export class Requests {
  /** set by `shutdown`: the protocol says every later request is refused */
  shuttingDown = false;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    readonly analyses: Analyses,
  ) {}

  handle<P extends { textDocument: { uri: string } }, R>(name: string, fn: (a: Analysis, params: P, doc: TextDocument) => R) {
    return (params: P, token?: CancellationToken): R | null | ResponseError<void> => {
      if (this.shuttingDown) return new ResponseError(ErrorCodes.InvalidRequest, `${name} after shutdown`);
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      const doc = this.documents.get(params.textDocument.uri);
      if (!doc) return null;
      try {
        const a = this.analyses.of(doc);
        return fn(a, params, doc);
      } catch (e) {
        if (e instanceof ResponseError) return e;
        this.connection.console.error(`charter: ${name} failed: ${(e as Error).stack ?? e}`);
        return new ResponseError(ErrorCodes.InternalError, `charter: ${name} failed: ${(e as Error).message}`);
      }
    };
  }
}
