// What the editor shows without being asked to change anything: hovers, semantic tokens, folding
// ranges and code lenses (agent summaries, review status).

import { FoldingRangeKind, SemanticTokensBuilder, type CodeLens, type Connection, type FoldingRange } from "vscode-languageserver/node";
import { classifyTokens, codeLenses, foldingSpans, hoverAt, TOKEN_TYPES } from "@charter/language/ide";
import type { Analyses } from "../analysis.js";
import type { Requests } from "../requests.js";

export const SEMANTIC_LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: ["declaration"] };
const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));

export function registerPresentation(connection: Connection, requests: Requests, analyses: Analyses): void {
  connection.onHover(
    requests.handle("hover", (a, p) => {
      const h = hoverAt(
        { text: a.text, file: a.check.file, syntax: a.check.syntax, bundle: a.check.bundle, symbols: a.symbols() },
        a.check.lines.offset(p.position),
      );
      return h ? { contents: { kind: "markdown" as const, value: h.markdown }, range: a.check.lines.range(h.span) } : null;
    }),
  );

  connection.languages.semanticTokens.on(
    requests.handle("semanticTokens", (a) => {
      const builder = new SemanticTokensBuilder();
      const lines = a.check.lines;
      for (const t of classifyTokens(a.check.syntax, a.symbols())) {
        const type = TYPE_INDEX.get(t.type)!;
        const mods = t.declaration ? 1 : 0;
        const start = lines.position(t.start);
        const end = lines.position(t.end);
        // a token may not span lines in LSP: a block comment is sent line by line
        for (let line = start.line; line <= end.line; line++) {
          const from = line === start.line ? start.character : 0;
          // clamp to the line: a `//` comment token in a CRLF file includes the `\r`
          const to = Math.min(line === end.line ? end.character : Number.MAX_SAFE_INTEGER, lines.lineText(line).length);
          if (to > from) builder.push(line, from, to - from, type, mods);
        }
      }
      return builder.build();
    }),
  );

  connection.onFoldingRanges(
    requests.handle("foldingRange", (a): FoldingRange[] => {
      const out: FoldingRange[] = [];
      for (const f of foldingSpans(a.check.syntax, a.text)) {
        const startLine = a.check.lines.position(f.start).line;
        // a block folds up to the line before its closing brace, so the brace stays visible
        const endLine = a.check.lines.position(f.end).line - (f.kind === "region" ? 1 : 0);
        if (endLine > startLine)
          out.push({ startLine, endLine, kind: f.kind === "comment" ? FoldingRangeKind.Comment : FoldingRangeKind.Region });
      }
      return out;
    }),
  );

  connection.onCodeLens(
    requests.handle("codeLens", (a): CodeLens[] =>
      codeLenses(a.check.file, a.check.bundle, analyses.today()).map((l) => ({
        range: a.check.lines.range(l.span),
        command: { title: l.title, command: "" },
      })),
    ),
  );
}
