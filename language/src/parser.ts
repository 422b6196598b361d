// Text to typed AST: chevrotain parses the uniform syntax (syntax.ts), the decoder types it
// (decode.ts). Never throws: every problem comes back as a diagnostic with a location.

import type { CharterFile, Comment } from "./ast.js";
import { Decoder } from "./decode.js";
import type { RawDiagnostic } from "./diagnostics.js";

import { parseSyntax, type SyntaxTree } from "./syntax.js";

export interface ParseResult {
  file: CharterFile;
  diagnostics: RawDiagnostic[];
  syntax: SyntaxTree;
}

/** `previous`: the syntax tree of an earlier version of the same document, to re-parse only what changed. */
export function parse(text: string, previous?: SyntaxTree): ParseResult {
  const syntax = parseSyntax(text, previous);
  const comments: Comment[] = syntax.comments.map((c) => ({
    text: c.image,
    block: c.image.startsWith("/*"),
    span: { start: c.startOffset, end: c.startOffset + c.image.length },
  }));
  const decoder = new Decoder(text);
  const file = decoder.file(syntax.items, { start: 0, end: text.length }, comments);
  const diagnostics: RawDiagnostic[] = syntax.errors.map((e) => ({
    code: "CH0001",
    message: e.message,
    span: { start: e.start, end: e.end },
  }));
  diagnostics.push(...decoder.diags);
  return { file, diagnostics, syntax };
}


