// Top-level statements as independent units, so an editor re-parses only the statement that
// changed. The split mirrors exactly where the parser would start a new top-level statement (see
// `continuesStatement` in syntax.ts, and how a stray `}` or `]` ends one), so parsing the pieces
// gives the same tree as parsing the whole file; a property test holds the two to that.

import type { IToken } from "chevrotain";
import { Arrow, Comma, LBracket, LCurly, RBracket, RCurly, StringLiteral, Word } from "./lexer.js";
import { keywordInfo } from "./schema.js";

/** Token index ranges [from, to) of the top-level statements of a token stream, in order. */
export function splitTopLevel(tokens: readonly IToken[]): [number, number][] {
  const ranges: [number, number][] = [];
  const open: ("{" | "[")[] = [];
  let segmentStart = 0;
  let itemOpen = false;
  let operands = 0;
  let afterComma = false;
  const boundary = (i: number) => {
    if (i > segmentStart) ranges.push([segmentStart, i]);
    segmentStart = i;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const type = t.tokenType;
    if (open.length > 0) {
      if (type === LCurly) open.push("{");
      else if (type === LBracket) open.push("[");
      else if (type === RBracket) {
        if (open[open.length - 1] === "[") open.pop();
      } else if (type === RCurly) {
        // a `}` also ends every list left open inside its block
        while (open[open.length - 1] === "[") open.pop();
        if (open[open.length - 1] === "{") open.pop();
        else if (open.length === 0) {
          // it closed only lists: at the top level it is a stray that ends the statement
          boundary(i);
          itemOpen = false;
        }
      }
      continue;
    }
    if (type === RCurly || type === RBracket) {
      // a stray closer ends the statement; what follows starts afresh
      boundary(i);
      itemOpen = false;
      continue;
    }
    if (itemOpen) {
      if (type === Word && operands > 0 && !afterComma && keywordInfo("file", t.image)) {
        boundary(i);
        operands = 0;
        afterComma = false;
        continue;
      }
      operands++;
      afterComma = type === Comma || type === Arrow;
      if (type === LCurly) open.push("{");
      else if (type === LBracket) open.push("[");
      continue;
    }
    if (type === Word || type === StringLiteral) {
      boundary(i);
      itemOpen = true;
      operands = 0;
      afterComma = false;
      continue;
    }
    // a stray at statement position (a number, a `{…}` or `[…]` with no keyword): it stays with
    // the strays before it, and the statement after it starts a new range
    if (type === LCurly) open.push("{");
    else if (type === LBracket) open.push("[");
  }
  boundary(tokens.length);
  return ranges;
}
