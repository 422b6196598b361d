// The concrete syntax of Charter, parsed by a chevrotain parser with error recovery. Like HCL, the
// grammar is uniform: a block holds statements, a statement is a keyword followed by operands, and
// an operand is a token, a `[ … ]` list or a `{ … }` block. Where a statement ends is decided by
// the schema (the next keyword of the enclosing block), so no semicolons are needed. The decoder
// (decode.ts) turns this tree into the typed AST and reports what each statement got wrong.

import { EmbeddedActionsParser, EOF, type IRecognitionException, type IToken } from "chevrotain";
import {
  allTokens,
  Arrow,
  Colon,
  Comma,
  DateLiteral,
  Gt,
  GtEq,
  LBracket,
  LCurly,
  lex,
  type LexResult,
  Quantity,
  Question,
  RBracket,
  RCurly,
  Star,
  StringLiteral,
  Word,
} from "./lexer.js";
import { childBlock, isPairBlock, keywordInfo, type BlockKind } from "./schema.js";
import { splitTopLevel } from "./segments.js";

export interface SToken {
  t: "tok";
  tok: IToken;
  start: number;
  end: number;
}
export interface SList {
  t: "list";
  items: SOperand[];
  start: number;
  end: number;
  /** false when the closing bracket is missing (recovered) */
  closed: boolean;
}
export interface SBlock {
  t: "block";
  kind: BlockKind;
  items: SItem[];
  start: number;
  end: number;
  closed: boolean;
}
export type SOperand = SToken | SList | SBlock;

export interface SItem {
  key: IToken;
  /** the `?` of an optional `name?: constraint` */
  question?: IToken;
  /** the `:` of a `name: value` pair */
  colon?: IToken;
  operands: SOperand[];
  start: number;
  end: number;
}

export interface SyntaxError {
  start: number;
  end: number;
  message: string;
}

export interface SyntaxTree {
  items: SItem[];
  comments: IToken[];
  errors: SyntaxError[];
  /** every token, for the language server's semantic tokens */
  tokens: IToken[];
  /** the top-level statements, kept so that the next version of the text re-parses only what changed */
  segments: SyntaxSegment[];
}

export interface SyntaxSegment {
  text: string;
  start: number;
  items: SItem[];
  errors: SyntaxError[];
}

const tokenEnd = (t: IToken): number => (Number.isFinite(t.startOffset) ? t.startOffset + t.image.length : NaN);
const validToken = (t: IToken | undefined): t is IToken => !!t && Number.isFinite(t.startOffset) && !t.isInsertedInRecovery;

/**
 * The parser keeps its per-invocation state on explicit stacks and caches every array of
 * alternatives: chevrotain's OR/MANY arguments are otherwise allocated on every call, which made
 * garbage collection the largest cost of re-parsing on every keystroke. Recovery can abandon a
 * rule half-way, so each caller restores the stacks to the depth it saw (see `item`).
 */
class CharterSyntaxParser extends EmbeddedActionsParser {
  /** The kind of each open block, innermost last; consulted by the statement-end gate. */
  private blocks: BlockKind[] = ["file"];
  /** Where finished statements go: the file's list, then each open block's. */
  private itemSinks: SItem[][] = [];
  /** Where finished operands go: the current statement's or list's. */
  private operandSinks: SOperand[][] = [];
  /** The keyword of the statement each operand belongs to ("" inside lists): decides what a `{` opens. */
  private keys: string[] = [];
  syntaxErrors: SyntaxError[] = [];

  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  resetContext(): void {
    this.blocks = ["file"];
    this.itemSinks = [];
    this.operandSinks = [];
    this.keys = [];
    this.syntaxErrors = [];
  }

  file = this.RULE("file", (): SItem[] => {
    const items: SItem[] = [];
    this.ACTION(() => this.itemSinks.push(items));
    this.MANY(this.fileEntry);
    return items;
  });

  private fileAlts?: { ALT: () => unknown }[];
  private fileEntry = (): void => {
    this.OR(
      (this.fileAlts ??= [
        { ALT: () => this.SUBRULE(this.item) },
        { ALT: () => this.SUBRULE(this.stray) },
        { ALT: () => this.strayClose(this.CONSUME(RCurly)) },
      ]),
    );
  };

  private strayClose(t: IToken): void {
    this.ACTION(() => this.report(t.startOffset, t.startOffset + 1, "unexpected '}': no block is open here"));
  }

  /** A token that cannot start a statement: reported, skipped, and parsing goes on. */
  private strayAlts?: { ALT: () => unknown }[];
  private stray = this.RULE("stray", (): void => {
    this.OR(
      (this.strayAlts ??= [
        { ALT: () => this.strayToken(this.CONSUME(Quantity)) },
        { ALT: () => this.strayToken(this.CONSUME(DateLiteral)) },
        { ALT: () => this.strayToken(this.CONSUME(Comma)) },
        { ALT: () => this.strayToken(this.CONSUME(Colon)) },
        { ALT: () => this.strayToken(this.CONSUME(Arrow)) },
        { ALT: () => this.strayToken(this.CONSUME(GtEq)) },
        { ALT: () => this.strayToken(this.CONSUME(Gt)) },
        { ALT: () => this.strayToken(this.CONSUME(Star)) },
        { ALT: () => this.strayToken(this.CONSUME(Question)) },
        { ALT: () => this.strayToken(this.CONSUME(RBracket)) },
        { ALT: () => this.strayOperand(this.SUBRULE(this.list), "expected a keyword, found a list") },
        { ALT: () => this.strayOperand(this.SUBRULE(this.block), "expected a keyword before this block") },
      ]),
    );
  });

  private strayToken(tok: IToken): void {
    this.ACTION(() => {
      const what = tok.tokenType === RBracket ? "unexpected ']': no list is open here" : `expected a keyword, found ${tokenName(tok)}`;
      this.report(tok.startOffset, tokenEnd(tok), what);
    });
  }

  private strayOperand(op: SOperand | undefined, message: string): void {
    this.ACTION(() => op && this.report(op.start, op.start + 1, message));
  }

  private report(start: number, end: number, message: string): void {
    this.syntaxErrors.push({ start, end, message });
  }

  private keyAlts?: { ALT: () => IToken }[];
  private questionOption = { GATE: () => isPairBlock(this.current()) && this.LA(2).tokenType === Colon, DEF: () => this.CONSUME(Question) };
  private colonOption = { GATE: () => isPairBlock(this.current()), DEF: () => this.CONSUME(Colon) };
  private statementOperands = { GATE: () => this.continuesStatement(), DEF: () => this.collectOperand() };

  private item = this.RULE("item", (): SItem => {
    const key = this.OR((this.keyAlts ??= [{ ALT: () => this.CONSUME(Word) }, { ALT: () => this.CONSUME(StringLiteral) }]));
    const question = this.OPTION2(this.questionOption);
    const colon = this.OPTION(this.colonOption);
    const operands: SOperand[] = [];
    const depth = this.ACTION(() => {
      const at = { blocks: this.blocks.length, operands: this.operandSinks.length, keys: this.keys.length };
      this.keys.push(key.image);
      this.operandSinks.push(operands);
      return at;
    });
    this.MANY(this.statementOperands);
    return this.ACTION(() => {
      // a nested rule abandoned by recovery may not have popped what it pushed
      this.blocks.length = depth.blocks;
      this.operandSinks.length = depth.operands;
      this.keys.length = depth.keys;
      const last = operands[operands.length - 1];
      const item: SItem = { key, colon, operands, start: key.startOffset, end: last ? last.end : colon ? tokenEnd(colon) : tokenEnd(key) };
      if (question) item.question = question;
      this.itemSinks[this.itemSinks.length - 1]?.push(item);
      return item;
    }) as SItem;
  });

  /** One operand into the innermost statement or list. */
  private collectOperand(): void {
    const sink = this.operandSinks[this.operandSinks.length - 1];
    const op = this.SUBRULE(this.operand);
    this.ACTION(() => op && sink?.push(op));
  }

  private operandAlts?: { ALT: () => SOperand }[];
  private operand = this.RULE("operand", (): SOperand => {
    return this.OR(
      (this.operandAlts ??= [
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.tokenOperand(this.CONSUME(Word)) },
        { ALT: () => this.tokenOperand(this.CONSUME(StringLiteral)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Quantity)) },
        { ALT: () => this.tokenOperand(this.CONSUME(DateLiteral)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Comma)) },
        { ALT: () => this.tokenOperand(this.CONSUME2(Colon)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Arrow)) },
        { ALT: () => this.tokenOperand(this.CONSUME(GtEq)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Gt)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Star)) },
        { ALT: () => this.tokenOperand(this.CONSUME(Question)) },
      ]),
    );
  });

  private listElements = (): void => this.collectOperand();
  private closeBracket = (): IToken => this.CONSUME(RBracket);

  private list = this.RULE("list", (): SList => {
    const open = this.CONSUME(LBracket);
    const items: SOperand[] = [];
    const depth = this.ACTION(() => {
      const at = { operands: this.operandSinks.length, keys: this.keys.length };
      this.operandSinks.push(items);
      this.keys.push("");
      return at;
    });
    this.MANY(this.listElements);
    const close = this.OPTION(this.closeBracket);
    return this.ACTION(() => {
      this.operandSinks.length = depth.operands;
      this.keys.length = depth.keys;
      const closed = validToken(close);
      const last = items[items.length - 1];
      if (!closed) this.report(open.startOffset, open.startOffset + 1, "this '[' is never closed: expected ']'");
      return { t: "list", items, start: open.startOffset, end: closed ? tokenEnd(close!) : last ? last.end : tokenEnd(open), closed };
    }) as SList;
  });

  private blockAlts?: { ALT: () => unknown }[];
  private blockEntry = (): void => {
    this.OR((this.blockAlts ??= [{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.SUBRULE(this.stray) }]));
  };
  private closeCurly = (): IToken => this.CONSUME(RCurly);

  private block = this.RULE("block", (): SBlock => {
    const open = this.CONSUME(LCurly);
    const items: SItem[] = [];
    const entered = this.ACTION(() => {
      const kind = childBlock(this.current(), this.keys[this.keys.length - 1] ?? "");
      const at = { blocks: this.blocks.length, sinks: this.itemSinks.length };
      this.blocks.push(kind);
      this.itemSinks.push(items);
      return { kind, at };
    });
    this.MANY(this.blockEntry);
    const close = this.OPTION(this.closeCurly);
    return this.ACTION(() => {
      this.blocks.length = entered.at.blocks;
      this.itemSinks.length = entered.at.sinks;
      const closed = validToken(close);
      const last = items[items.length - 1];
      if (!closed) this.report(open.startOffset, open.startOffset + 1, "this '{' is never closed: expected '}'");
      return {
        t: "block",
        kind: entered.kind,
        items,
        start: open.startOffset,
        end: closed ? tokenEnd(close!) : last ? last.end : tokenEnd(open),
        closed,
      };
    }) as SBlock;
  });

  private tokenOperand(tok: IToken): SToken {
    return { t: "tok", tok, start: tok.startOffset, end: tokenEnd(tok) };
  }

  private current(): BlockKind {
    return this.blocks[this.blocks.length - 1] ?? "file";
  }

  /**
   * A statement goes on until the next keyword of the enclosing block (or, in `name: value`
   * blocks, the next `name:`). A word right after a comma always continues a list of names.
   */
  private continuesStatement(): boolean {
    const next = this.LA(1);
    if (next.tokenType === EOF) return false;
    const kind = this.current();
    if (isPairBlock(kind)) {
      const after = this.LA(2);
      const named = next.tokenType === Word || next.tokenType === StringLiteral;
      return !(named && (after.tokenType === Colon || (after.tokenType === Question && this.LA(3).tokenType === Colon)));
    }
    if (next.tokenType !== Word) return true;
    // no statement is a bare keyword, so the first word after one is always its operand; a word
    // after a comma continues a list, and a word after `=>` is the outcome (`=> deny`, `=> approval`)
    const operands = this.operandSinks[this.operandSinks.length - 1] ?? [];
    if (operands.length === 0 || continuesAfter(operands)) return true;
    return !keywordInfo(kind, next.image);
  }
}

/** After a comma or an arrow, the next word belongs to the statement whatever it is. */
function continuesAfter(operands: SOperand[]): boolean {
  const last = operands[operands.length - 1];
  return !!last && last.t === "tok" && (last.tok.tokenType === Comma || last.tok.tokenType === Arrow);
}

/** How deep `{ … }` and `[ … ]` may nest. Real policies use five or six levels; the parser recurses per level. */
export const MAX_NESTING = 64;

/**
 * Drops what is nested deeper than MAX_NESTING (from the opener that goes too deep to its closer),
 * with one error at that opener: hostile input ends in a diagnostic, never in a stack overflow.
 */
function limitNesting(tokens: IToken[]): { tokens: IToken[]; errors: SyntaxError[] } {
  let depth = 0;
  let deepest = 0;
  for (const t of tokens) {
    if (t.tokenType === LCurly || t.tokenType === LBracket) deepest = Math.max(deepest, ++depth);
    else if ((t.tokenType === RCurly || t.tokenType === RBracket) && depth > 0) depth--;
  }
  if (deepest <= MAX_NESTING) return { tokens, errors: [] };
  const kept: IToken[] = [];
  const errors: SyntaxError[] = [];
  depth = 0;
  let skipBelow = -1;
  for (const t of tokens) {
    const opens = t.tokenType === LCurly || t.tokenType === LBracket;
    const closes = t.tokenType === RCurly || t.tokenType === RBracket;
    if (opens) depth++;
    if (skipBelow >= 0) {
      if (closes && depth > 0 && --depth < skipBelow) skipBelow = -1;
      continue;
    }
    if (opens && depth > MAX_NESTING) {
      errors.push({
        start: t.startOffset,
        end: t.startOffset + 1,
        message: `nested deeper than ${MAX_NESTING} levels: what is inside this '${t.image}' is skipped`,
      });
      skipBelow = depth;
      continue;
    }
    if (closes && depth > 0) depth--;
    kept.push(t);
  }
  return { tokens: kept, errors };
}

let parserInstance: CharterSyntaxParser | undefined;

/**
 * Parses Charter text into the uniform syntax tree. Never throws; every problem is an error value.
 * Given the tree of a previous version of the text, top-level statements whose text is unchanged
 * are reused (moved to their new offsets) instead of parsed again: an edit costs one statement.
 */
export function parseSyntax(text: string, previous?: SyntaxTree): SyntaxTree {
  const lexed = lexLimited(text);
  const reusable = new Map<string, SyntaxSegment>();
  for (const s of previous?.segments ?? []) if (!reusable.has(s.text)) reusable.set(s.text, s);
  const segments: SyntaxSegment[] = [];
  for (const [from, to] of splitTopLevel(lexed.tokens)) {
    const first = lexed.tokens[from]!;
    const last = lexed.tokens[to - 1]!;
    const start = first.startOffset;
    const segmentText = text.slice(start, last.startOffset + last.image.length);
    const cached = reusable.get(segmentText);
    if (cached !== undefined) {
      reusable.delete(segmentText);
      segments.push(cached.start === start ? cached : relocateSegment(cached, start - cached.start));
    } else segments.push(parseSegment(lexed.tokens.slice(from, to), segmentText, start, text));
  }
  const errors: SyntaxError[] = lexed.errors.map((e) => ({ start: e.offset, end: e.offset + e.length, message: e.message }));
  const items: SItem[] = [];
  for (const s of segments) {
    items.push(...s.items);
    errors.push(...s.errors);
  }
  errors.sort((a, b) => a.start - b.start);
  return { items, comments: lexed.comments, errors, tokens: lexed.tokens, segments };
}

/** The tokens of `text`, with nesting past MAX_NESTING cut off (and reported). */
function lexLimited(text: string): LexResult {
  const lexed = lex(text);
  const limited = limitNesting(lexed.tokens);
  if (!limited.errors.length) return lexed;
  return {
    tokens: limited.tokens,
    comments: lexed.comments,
    errors: [...lexed.errors, ...limited.errors.map((e) => ({ offset: e.start, length: e.end - e.start, message: e.message }))],
  };
}

/** The whole text as one unit, without splitting: the reference the segmented parse must equal (tests). */
export function parseSyntaxWhole(text: string): SyntaxTree {
  const lexed = lexLimited(text);
  const segment = parseSegment(lexed.tokens, text, 0, text);
  const errors = [...lexed.errors.map((e) => ({ start: e.offset, end: e.offset + e.length, message: e.message })), ...segment.errors].sort(
    (a, b) => a.start - b.start,
  );
  return { items: segment.items, comments: lexed.comments, errors, tokens: lexed.tokens, segments: [segment] };
}

function parseSegment(tokens: IToken[], segmentText: string, start: number, text: string): SyntaxSegment {
  const parser = (parserInstance ??= new CharterSyntaxParser());
  parser.resetContext();
  parser.input = tokens;
  const items = parser.file() ?? [];
  const errors: SyntaxError[] = [...parser.syntaxErrors];
  for (const e of parser.errors) errors.push(describe(e, text));
  return { text: segmentText, start, items, errors };
}

/** A reused statement at its new place: offsets shifted, tokens copied (the old tree stays valid). */
function relocateSegment(s: SyntaxSegment, delta: number): SyntaxSegment {
  const tok = (t: IToken): IToken => ({
    ...t,
    startOffset: t.startOffset + delta,
    ...(t.endOffset === undefined ? {} : { endOffset: t.endOffset + delta }),
  });
  const operand = (o: SOperand): SOperand => {
    if (o.t === "tok") return { t: "tok", tok: tok(o.tok), start: o.start + delta, end: o.end + delta };
    if (o.t === "list") return { t: "list", items: o.items.map(operand), start: o.start + delta, end: o.end + delta, closed: o.closed };
    return { t: "block", kind: o.kind, items: o.items.map(item), start: o.start + delta, end: o.end + delta, closed: o.closed };
  };
  const item = (i: SItem): SItem => {
    const moved: SItem = {
      key: tok(i.key),
      colon: i.colon && tok(i.colon),
      operands: i.operands.map(operand),
      start: i.start + delta,
      end: i.end + delta,
    };
    if (i.question) moved.question = tok(i.question);
    return moved;
  };
  return {
    text: s.text,
    start: s.start + delta,
    items: s.items.map(item),
    errors: s.errors.map((e) => ({ start: e.start + delta, end: e.end + delta, message: e.message })),
  };
}

function tokenName(t: IToken): string {
  if (t.tokenType === EOF) return "the end of the file";
  return `'${t.image.length > 30 ? t.image.slice(0, 30) + "…" : t.image}'`;
}

/** Chevrotain's exceptions, rephrased as what was expected and what was found. */
function describe(e: IRecognitionException, text: string): SyntaxError {
  const tok = e.token;
  let start = Number.isFinite(tok.startOffset) ? tok.startOffset : text.length;
  let end = Number.isFinite(tok.startOffset) ? tok.startOffset + tok.image.length : start;
  if (tok.tokenType === EOF) {
    // point at the last character rather than past the end, so the caret is visible
    start = Math.max(0, text.trimEnd().length - 1);
    end = Math.min(text.length, start + 1);
  }
  const found = tokenName(tok);
  let message: string;
  switch (e.name) {
    case "MismatchedTokenException": {
      const expected = /Expecting (?:token of type )?--> (.*?) <--/.exec(e.message)?.[1];
      const exp =
        expected === "'}'" || expected === "RCurly"
          ? "'}' to close the block"
          : expected === "']'" || expected === "RBracket"
            ? "']' to close the list"
            : (expected ?? "something else");
      message = `expected ${exp}, found ${found}`;
      break;
    }
    case "NotAllInputParsedException":
      message =
        tok.tokenType === RCurly
          ? `unexpected '}': no block is open here`
          : `expected a declaration (policy, source, defaults, agent or test), found ${found}`;
      break;
    default:
      message = tok.tokenType === RBracket ? `unexpected ']': no list is open here` : `expected a keyword or a value, found ${found}`;
  }
  return { start, end: Math.max(end, start), message };
}
