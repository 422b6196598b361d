// The text edits that record a review in a policy: update the values of an existing `review` block
// in place (its comments and layout stay), or insert a new block at the end of the policy header.
// Pure: the caller computes the digest and the signature; review does not change the digest.

import * as A from "./ast.js";
import { findPolicy } from "./compile.js";

export interface ReviewRecord {
  by: string;
  /** yyyy-mm-dd */
  on: string;
  digest: string;
  signature: string;
  /** written only when the block has no cadence yet; an existing cadence is kept as written */
  cadence?: string;
}

export interface ReviewEdit {
  span: A.Span;
  newText: string;
}

export const DEFAULT_CADENCE = "90d";

/**
 * The edits (non-overlapping, in any order) that make `file`'s review say `record`; undefined
 * when the file has no `policy` header to hold a review (the checker reports CH8005 then).
 */
export function reviewEdits(text: string, file: A.CharterFile, record: ReviewRecord): ReviewEdit[] | undefined {
  const policy = findPolicy(file);
  if (!policy) return undefined;
  const review = A.item(policy.items, "review");
  const values: [string, string][] = [
    ["by", JSON.stringify(record.by)],
    ["on", record.on],
    ["digest", JSON.stringify(record.digest)],
    ["cadence", record.cadence ?? DEFAULT_CADENCE],
    ["signature", JSON.stringify(record.signature)],
  ];
  if (!review) {
    const body = blockBody(text, policy.name.span.end, policy.span.end);
    return [insertStatements(text, body, [`review {`, ...values.map(([k, v]) => `  ${k} ${v}`), `}`], true)];
  }
  const edits: ReviewEdit[] = [];
  const missing: string[] = [];
  for (const [key, value] of values) {
    const existing = A.prop(review.items, key);
    if (!existing) missing.push(`${key} ${value}`);
    else if (key !== "cadence") edits.push({ span: existing.value.span, newText: value });
  }
  if (missing.length) edits.push(insertStatements(text, blockBody(text, review.keywordSpan.end, review.span.end), missing, false));
  return edits;
}

/** Applies non-overlapping edits (the last one first, so earlier offsets stay valid). */
export function applyEdits(text: string, edits: readonly ReviewEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.span.start - x.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

function blockBody(text: string, after: number, end: number): A.Span {
  return { start: text.indexOf("{", after), end };
}

/**
 * Inserts statements as the last items of the block whose `{ … }` is `body`, laid out as the
 * formatter would: one a line, indented one step inside a multi-line block, space-separated in a
 * one-line block. `nested` statements are the lines of one block (kept together on one line there).
 */
function insertStatements(text: string, body: A.Span, lines: string[], nested: boolean): ReviewEdit {
  const close = body.end - 1;
  const inner = text.slice(body.start + 1, close);
  if (!inner.includes("\n")) {
    const one = nested ? lines.map((l) => l.trim()).join(" ") : lines.join(" ");
    const before = text[close - 1] === " " ? "" : " ";
    return { span: { start: close, end: close }, newText: `${before}${one} ` };
  }
  const lineStart = text.lastIndexOf("\n", close - 1) + 1;
  const closeIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const indented = lines.map((l) => `${closeIndent}  ${l}\n`).join("");
  if (/^[ \t]*$/.test(text.slice(lineStart, close))) return { span: { start: lineStart, end: lineStart }, newText: indented };
  return { span: { start: close, end: close }, newText: `\n${indented}${closeIndent}` };
}
