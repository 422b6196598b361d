// Where the cursor stands, read from the tokens before it: the chain of open blocks, the statement
// being written and its operands so far. It mirrors the parser's rule for where a statement ends
// (syntax.ts), and works on broken text because it needs nothing after the cursor.

import type { IToken } from "chevrotain";
import { Arrow, Colon, Comma, LBracket, LCurly, Question, RBracket, RCurly, StringLiteral, Word } from "../lexer.js";
import { childBlock, isPairBlock, keywordInfo, type BlockKind } from "../schema.js";

export interface Statement {
  key: string;
  /** operand tokens before the cursor; a nested list or block counts as its opening token */
  ops: IToken[];
}

export interface BlockFrame {
  kind: BlockKind;
  /** the statement that opened this block (`agent NAME {`), undefined at file level */
  opener?: Statement;
  /** keywords already written in this block, for leaving out the ones that may not repeat */
  keys: Set<string>;
  current?: Statement;
}

export interface CursorContext {
  /** innermost last */
  frames: BlockFrame[];
  /** inside a `[ … ]` list */
  inList: boolean;
  /** the partial word under the cursor, which completion replaces */
  word: { start: number; end: number; text: string };
}

const isWordLike = (t: IToken) => t.tokenType === Word;

/** A character the lexer takes into a name (see `Word` in lexer.ts: non-ASCII letters included). */
const NAME_CHAR = /[A-Za-z0-9_.\-\u00a1-\u2027\u202a-\ufefe\uff00-\uffff]/;

/** The partial name around `offset`, possibly empty. */
export function wordAt(text: string, offset: number): { start: number; end: number; text: string } {
  let start = offset;
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--;
  let end = offset;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  return { start, end, text: text.slice(start, offset) };
}

export function cursorContext(text: string, tokens: readonly IToken[], offset: number): CursorContext {
  const word = wordAt(text, offset);
  const frames: BlockFrame[] = [{ kind: "file", keys: new Set() }];
  let listDepth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.startOffset >= word.start) break;
    const top = frames[frames.length - 1]!;
    if (listDepth > 0) {
      if (tok.tokenType === LBracket) listDepth++;
      else if (tok.tokenType === RBracket) listDepth--;
      continue;
    }
    switch (tok.tokenType) {
      case LCurly: {
        const key = top.current?.key ?? "";
        top.current?.ops.push(tok);
        const frame: BlockFrame = { kind: childBlock(top.kind, key), keys: new Set() };
        if (top.current) frame.opener = top.current;
        frames.push(frame);
        break;
      }
      case RCurly:
        if (frames.length > 1) frames.pop();
        break;
      case LBracket:
        listDepth = 1;
        top.current?.ops.push(tok);
        break;
      default:
        if (isPairBlock(top.kind)) {
          // `name:` or `name?:` starts a pair
          const q = tokens[i + 1]?.tokenType === Question ? 1 : 0;
          const next = tokens[i + 1 + q];
          if ((tok.tokenType === Word || tok.tokenType === StringLiteral) && next?.tokenType === Colon && next.startOffset < word.start) {
            top.current = { key: tok.image, ops: [] };
            top.keys.add(tok.image);
          } else top.current?.ops.push(tok);
        } else if (tok.tokenType === Word && (!top.current || !continues(top.kind, top.current, tok))) {
          top.current = { key: tok.image, ops: [] };
          top.keys.add(tok.image);
        } else top.current?.ops.push(tok);
    }
  }
  return { frames, inList: listDepth > 0, word };
}

/** The parser's statement-end gate (syntax.ts `continuesStatement`), for a word. */
function continues(kind: BlockKind, stmt: Statement, next: IToken): boolean {
  if (!isWordLike(next)) return true;
  const last = stmt.ops[stmt.ops.length - 1];
  if (stmt.ops.length === 0 || last?.tokenType === Comma || last?.tokenType === Arrow) return true;
  return !keywordInfo(kind, next.image);
}
