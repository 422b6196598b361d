// Tokens of Charter (spec §2), on chevrotain's lexer. Keywords are contextual: every word lexes as
// `Word`, and the schema decides what a word means where it stands. That keeps names such as
// `read`, `audit` or `internal` usable as agent, tool and source names.

import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n]*/, group: "comments" });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments", line_breaks: true });
/** An unterminated block comment: lexed so that it is reported once, not as a cascade of garbage. */
export const OpenBlockComment = createToken({ name: "OpenBlockComment", pattern: /\/\*[\s\S]*/, group: "comments", line_breaks: true });

// Written as an unrolled loop (runs of plain characters, then one escape): an alternation inside
// `*` makes the regex engine recurse once per character, and a 10 MB string overflowed the stack.
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"[^"\\\n]*(?:\\.[^"\\\n]*)*"/ });
/** A string missing its closing quote on the same line. */
export const OpenString = createToken({ name: "OpenString", pattern: /"[^"\\\n]*(?:\\.[^"\\\n]*)*/ });
export const DateLiteral = createToken({ name: "DateLiteral", pattern: /\d{4}-\d{2}-\d{2}(?![A-Za-z0-9_.-])/ });
/** A number with an optional unit suffix: 12, 0.85, 2.0x, 15m, 512MiB. The schema interprets the unit. */
export const Quantity = createToken({ name: "Quantity", pattern: /-?\d+(?:\.\d+)?(?:[A-Za-z]+)?/ });
// Non-ASCII letters are lexed into names so that CH0004 can flag look-alikes precisely instead of a
// vague "unexpected character".
export const Word = createToken({
  name: "Word",
  pattern: /[A-Za-z_\u00a1-\u2027\u202a-\ufefe\uff00-\uffff][A-Za-z0-9_.\-\u00a1-\u2027\u202a-\ufefe\uff00-\uffff]*/,
});

export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Arrow = createToken({ name: "Arrow", pattern: /=>/, label: "'=>'" });
export const GtEq = createToken({ name: "GtEq", pattern: />=/, label: "'>='" });
export const Gt = createToken({ name: "Gt", pattern: />/, label: "'>'" });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'" });
/** The `?` of an optional argument, `NAME?: CONSTRAINT`. */
export const Question = createToken({ name: "Question", pattern: /\?/, label: "'?'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  OpenBlockComment,
  StringLiteral,
  OpenString,
  DateLiteral,
  Quantity,
  Word,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Arrow,
  GtEq,
  Gt,
  Star,
  Question,
];

export const charterLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
});

export interface LexError {
  offset: number;
  length: number;
  message: string;
}

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  errors: LexError[];
}

export function lex(text: string): LexResult {
  const result = charterLexer.tokenize(text);
  const errors: LexError[] = result.errors.map((e) => ({
    offset: e.offset,
    length: Math.max(1, e.length),
    message: `unexpected character ${JSON.stringify(text.slice(e.offset, e.offset + Math.max(1, e.length)))}`,
  }));
  const tokens: IToken[] = [];
  for (const t of result.tokens) {
    if (t.tokenType === OpenString) {
      errors.push({ offset: t.startOffset, length: t.image.length, message: "string is missing its closing quote" });
      // keep it as a string so that the rest of the line still parses
      t.tokenType = StringLiteral;
      t.tokenTypeIdx = StringLiteral.tokenTypeIdx!;
    }
    tokens.push(t);
  }
  const comments = (result.groups.comments ?? []) as IToken[];
  for (const c of comments) {
    if (c.tokenType === OpenBlockComment)
      errors.push({ offset: c.startOffset, length: 2, message: "block comment is never closed with */" });
  }
  return { tokens, comments, errors };
}
