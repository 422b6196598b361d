// Go to definition, find references, rename (with clash refusal) and the document outline: LSP
// shapes around the symbol index and outline of language/src/ide.

import { ResponseError, SymbolKind, type Connection, type DocumentSymbol, type Location, type TextEdit } from "vscode-languageserver/node";
import { outline, prepareRename, rename, spansOf, type OutlineKind, type OutlineSymbol } from "@charter/language/ide";
import type { Analysis } from "../analysis.js";
import type { Requests } from "../requests.js";

const SYMBOL_KIND: Record<OutlineKind, SymbolKind> = {
  policy: SymbolKind.Namespace,
  source: SymbolKind.Variable,
  defaults: SymbolKind.Module,
  agent: SymbolKind.Class,
  tool: SymbolKind.Function,
  block: SymbolKind.Struct,
  test: SymbolKind.Event,
};

export function registerNavigation(connection: Connection, requests: Requests): void {
  connection.onDefinition(
    requests.handle("definition", (a, p): Location[] | null => {
      const occ = a.symbols().at(a.check.lines.offset(p.position));
      if (!occ?.symbol.decls.length) return null;
      return occ.symbol.decls.map((span) => ({ uri: a.uri, range: a.check.lines.range(span) }));
    }),
  );

  connection.onReferences(
    requests.handle("references", (a, p): Location[] | null => {
      const occ = a.symbols().at(a.check.lines.offset(p.position));
      if (!occ) return null;
      return spansOf(occ.symbol, p.context.includeDeclaration).map((span) => ({ uri: a.uri, range: a.check.lines.range(span) }));
    }),
  );

  connection.onPrepareRename(
    requests.handle("prepareRename", (a, p) => {
      const r = prepareRename(a.symbols(), a.check.lines.offset(p.position));
      if (!r.ok) throw new ResponseError(-32803 /* RequestFailed */, r.reason);
      return { range: a.check.lines.range(r.span), placeholder: r.placeholder };
    }),
  );

  connection.onRenameRequest(
    requests.handle("rename", (a, p) => {
      const r = rename(a.symbols(), a.check.lines.offset(p.position), p.newName);
      if (!r.ok) throw new ResponseError(-32803 /* RequestFailed */, r.reason);
      const edits: TextEdit[] = r.edits.map((e) => ({ range: a.check.lines.range(e.span), newText: e.newText }));
      return { changes: { [a.uri]: edits } };
    }),
  );

  connection.onDocumentSymbol(requests.handle("documentSymbol", (a) => outline(a.check.file).map((s) => documentSymbol(a, s))));
}

function documentSymbol(a: Analysis, s: OutlineSymbol): DocumentSymbol {
  const out: DocumentSymbol = {
    name: s.name || "(unnamed)",
    kind: SYMBOL_KIND[s.kind],
    range: a.check.lines.range(s.span),
    selectionRange: a.check.lines.range(s.selection),
    children: s.children.map((c) => documentSymbol(a, c)),
  };
  if (s.detail) out.detail = s.detail;
  return out;
}
