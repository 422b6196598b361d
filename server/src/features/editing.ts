// Completion, formatting (whole document and range) and code actions (the checker's fixes as quick
// fixes, "Update review digest" among them), plus the command that builds the open policy's bundle.

import { canonicalJsonPretty, formatText } from "@charter/language";
import {
  CodeActionKind,
  CompletionItemKind,
  InsertTextFormat,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type TextEdit,
} from "vscode-languageserver/node";
import { complete, lineEdits, type CompletionKind } from "@charter/language/ide";
import type { Analysis } from "../analysis.js";
import { toLspDiagnostic, type DocsHref } from "../convert.js";
import type { Requests } from "../requests.js";

const ITEM_KIND: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  value: CompletionItemKind.EnumMember,
  agent: CompletionItemKind.Class,
  source: CompletionItemKind.Variable,
  interface: CompletionItemKind.Interface,
  tool: CompletionItemKind.Function,
  snippet: CompletionItemKind.Snippet,
};

export const BUNDLE_COMMAND = "charter.server.bundle";

export function registerEditing(connection: Connection, requests: Requests, docsHref: DocsHref): void {
  connection.onCompletion(
    requests.handle("completion", (a, p): CompletionItem[] => {
      // the parse is enough: completion right after an edit does not wait for the checks
      const offset = a.lines.offset(p.position);
      const { syntax, file } = a.parsed;
      const r = complete({ text: a.text, tokens: syntax.tokens, comments: syntax.comments, file }, offset);
      const range = a.lines.range({ start: r.replace.start, end: offset });
      return r.items.map((i, n) => {
        const item: CompletionItem = {
          label: i.label,
          kind: ITEM_KIND[i.kind],
          sortText: String(n).padStart(4, "0"),
          textEdit: { range, newText: i.insertText ?? i.label },
        };
        if (i.detail) item.detail = i.detail;
        if (i.documentation) item.documentation = { kind: "markdown", value: i.documentation };
        if (i.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
        return item;
      });
    }),
  );

  connection.onDocumentFormatting(requests.handle("formatting", (a) => formatEdits(a)));

  connection.onDocumentRangeFormatting(
    requests.handle("rangeFormatting", (a, p) => {
      const start = a.check.lines.offset({ line: p.range.start.line, character: 0 });
      // a selection of whole lines ends at character 0 of the next line, which it does not include
      const endPos =
        p.range.end.character === 0 && p.range.end.line > p.range.start.line
          ? { line: p.range.end.line - 1, character: Number.MAX_SAFE_INTEGER }
          : p.range.end;
      const end = a.check.lines.offset(endPos);
      return formatEdits(a).filter((e) => {
        const s = a.check.lines.offset(e.range.start);
        const t = a.check.lines.offset(e.range.end);
        // an edit replaces whole lines [s, t): it belongs to the range when it overlaps it
        return s === t ? s >= start && s <= end : s < end && t > start;
      });
    }),
  );

  connection.onCodeAction(
    requests.handle("codeAction", (a, p): CodeAction[] => {
      if (p.context.only && !p.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
      const from = a.check.lines.offset(p.range.start);
      const to = a.check.lines.offset(p.range.end);
      const fixable = a.check.diagnostics.filter((d) => d.fix && d.span.start <= to && d.span.end >= from);
      return fixable.map((d) => ({
        title: d.fix!.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(d, a.uri, docsHref)],
        isPreferred: fixable.length === 1,
        edit: { changes: { [a.uri]: d.fix!.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
      }));
    }),
  );

  // `charter.server.bundle URI`: the extension writes the answer to disk; the server does no I/O
  const bundle = requests.handle<{ textDocument: { uri: string } }, BundleAnswer>("bundle", (a) => bundleOf(a));
  connection.onExecuteCommand((p, token) => {
    if (p.command !== BUNDLE_COMMAND) return null;
    const uri = p.arguments?.[0];
    return typeof uri === "string" ? bundle({ textDocument: { uri } }, token) : null;
  });
}

/** What the bundle command answers: the canonical bundle JSON, or why there is none. */
export type BundleAnswer = { ok: true; json: string; digest: string } | { ok: false; errors: number; messages: string[] };

function bundleOf(a: Analysis): BundleAnswer {
  if (a.check.errors > 0) {
    const messages = a.check.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
    return { ok: false, errors: a.check.errors, messages };
  }
  return { ok: true, json: canonicalJsonPretty(a.check.bundle), digest: a.check.bundle.digest };
}

/** The canonical formatter's result as minimal line edits; none for a file with syntax errors. */
function formatEdits(a: Analysis): TextEdit[] {
  const formatted = formatText(a.text);
  if (!formatted.ok) return [];
  return lineEdits(a.text, formatted.text).map((e) => ({ range: a.check.lines.range(e.span), newText: e.newText }));
}
