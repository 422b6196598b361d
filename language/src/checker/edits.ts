// Text edits for machine-applicable fixes: inserting a statement into a block so that the
// result reads as if the canonical formatter had written it.

import type { AgentDecl, Span } from "../ast.js";

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Inserts `statement` as the last item of the block whose `{ … }` is `body`. */
export function insertIntoBlock(text: string, body: Span, statement: string): { span: Span; newText: string } {
  const close = body.end - 1;
  const inner = text.slice(body.start + 1, close);
  if (inner.includes("\n")) {
    const closeLineStart = lineStart(text, close);
    const onlySpaceBefore = /^[ \t]*$/.test(text.slice(closeLineStart, close));
    const closeIndent = indentAt(text, close);
    if (onlySpaceBefore) {
      return { span: { start: closeLineStart, end: closeLineStart }, newText: `${closeIndent}  ${statement}\n` };
    }
    return { span: { start: close, end: close }, newText: `\n${closeIndent}  ${statement}\n${closeIndent}` };
  }
  const before = text[close - 1] === " " ? "" : " ";
  return { span: { start: close, end: close }, newText: `${before}${statement} ` };
}

/** The `{ … }` body of a block: from the first `{` after its header (which ends at `after`) to its end. */
export function bodyAfter(text: string, after: number, block: Span): Span {
  const open = text.indexOf("{", after);
  return { start: open < 0 || open >= block.end ? block.end - 1 : open, end: block.end };
}

/** An agent's body: after its name, or after its (rejected) inheritance clause. */
export function agentBody(text: string, a: AgentDecl): Span {
  return bodyAfter(text, a.inheritance?.span.end ?? a.name.span.end, a.span);
}
