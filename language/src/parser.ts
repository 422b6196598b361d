// Text to typed AST: chevrotain parses the uniform syntax (syntax.ts), the decoder types it
// (decode.ts). Never throws: every problem comes back as a diagnostic with a location.

import type { CharterFile, Comment, Decl } from "./ast.js";
import { Decoder } from "./decode.js";
import type { RawDiagnostic } from "./diagnostics.js";
import { parseSyntax, type SyntaxSegment, type SyntaxTree } from "./syntax.js";

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
  const diagnostics: RawDiagnostic[] = syntax.errors.map((e) => ({
    code: "CH0001",
    message: e.message,
    span: { start: e.start, end: e.end },
  }));
  const decls: Decl[] = [];
  for (const segment of syntax.segments) {
    const decoded = decode(segment, text);
    decls.push(...decoded.decls);
    diagnostics.push(...decoded.diagnostics);
  }
  return { file: { decls, comments, span: { start: 0, end: text.length } }, diagnostics, syntax };
}

// A segment the parser reused at the same offset is the same object: its typed form (spans
// included) is still right, so it is decoded once. Keyed weakly: it lives as long as the tree.
const decodedSegments = new WeakMap<SyntaxSegment, { decls: Decl[]; diagnostics: RawDiagnostic[] }>();

function decode(segment: SyntaxSegment, text: string): { decls: Decl[]; diagnostics: RawDiagnostic[] } {
  let decoded = decodedSegments.get(segment);
  if (decoded === undefined) {
    const decoder = new Decoder(text);
    decoded = { decls: decoder.decls(segment.items), diagnostics: decoder.diags };
    decodedSegments.set(segment, decoded);
  }
  return decoded;
}
