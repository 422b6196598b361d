// Reads a statement's operands against its shape in the grammar (schema.ts) without building
// anything: which grammar element each operand is, whether the statement is complete, and what may
// come next. Completion, semantic tokens and hover use it, so they all see the statement exactly
// as the grammar declares it; the decoder reads the same shapes to build the typed AST.

import type { IToken } from "chevrotain";
import { Arrow, Comma, DateLiteral, Gt, GtEq, LBracket, LCurly, Quantity, StringLiteral, Word } from "./lexer.js";
import { CONSTRAINT_SHAPE, type Shape } from "./schema.js";
import type { SOperand } from "./syntax.js";

export type TokKind = "word" | "string" | "quantity" | "date" | "list" | "block" | "=>" | ">" | ">=" | "," | "other";

/** An operand as the shape reader sees it: a token, or a whole `[…]` list or `{…}` block. */
export interface Tk {
  kind: TokKind;
  image: string;
}

/** A leaf of a shape: what one operand can be. */
export type Leaf = Extract<Shape, { t: "word" | "punct" | "enum" | "lit" | "name" | "block" | "object" }> | { t: "comma" };

export interface ShapeReading {
  /** the grammar element each operand was read as (undefined past the point where reading stopped) */
  leaves: (Leaf | undefined)[];
  /** every operand was read and the statement may end here */
  complete: boolean;
  /** index of the first operand that does not fit, when one does not */
  mismatch?: number;
  /** what may follow the last operand (when all were read) */
  next: Leaf[];
}

const COMMA: Leaf = { t: "comma" };

function acceptsLeaf(leaf: Leaf, tk: Tk, strict: boolean): boolean {
  switch (leaf.t) {
    case "word":
      return tk.kind === "word" && tk.image === leaf.word;
    case "punct":
      return tk.kind === leaf.punct;
    case "enum":
      return tk.kind === "word" && (!strict || leaf.vocab.values.includes(tk.image) || !!leaf.vocab.rejected?.includes(tk.image));
    case "name":
      return tk.kind === "word";
    case "block":
    case "object":
      return tk.kind === "block";
    case "comma":
      return tk.kind === ",";
    case "lit":
      switch (leaf.lit) {
        case "string":
          return tk.kind === "string";
        case "list":
          return tk.kind === "list";
        case "date":
          return tk.kind === "date" || tk.kind === "quantity";
        default:
          return tk.kind === "quantity";
      }
  }
}

const firstCache = new WeakMap<Shape, { leaves: Leaf[]; empty: boolean }>();

/** The leaves that can begin a shape (and whether it can be empty); computed once per shape. */
export function firstLeaves(shape: Shape): { leaves: Leaf[]; empty: boolean } {
  let f = firstCache.get(shape);
  if (!f) firstCache.set(shape, (f = computeFirst(shape)));
  return f;
}

function computeFirst(shape: Shape): { leaves: Leaf[]; empty: boolean } {
  switch (shape.t) {
    case "seq": {
      const leaves: Leaf[] = [];
      for (const p of shape.parts) {
        const f = firstLeaves(p);
        leaves.push(...f.leaves);
        if (!f.empty) return { leaves, empty: false };
      }
      return { leaves, empty: true };
    }
    case "alt": {
      const leaves: Leaf[] = [];
      let empty = false;
      for (const o of shape.options) {
        const f = firstLeaves(o);
        leaves.push(...f.leaves);
        empty ||= f.empty;
      }
      return { leaves, empty };
    }
    case "opt":
      return { leaves: firstLeaves(shape.shape).leaves, empty: true };
    case "names":
      return firstLeaves(shape.first ?? shape.item);
    case "constraint":
      return firstLeaves(CONSTRAINT_SHAPE);
    default:
      return { leaves: [shape], empty: false };
  }
}

/** Does `tk` begin `shape`? Alternatives are told apart by their first operand, exactly. */
export function startsWith(shape: Shape, tk: Tk, strict = true): boolean {
  for (const l of firstLeaves(shape).leaves) if (acceptsLeaf(l, tk, strict)) return true;
  return false;
}

/**
 * The alternatives that may read the operands at `pos`, best first: those whose first operand
 * fits; when several do (`talks_to a via x, b via y`: `b via …` is a link, a bare `y` an
 * interface), the operand after it decides: an alternative that reads both comes first, and at
 * the last operand one that ends there. Two operands decide every choice in the grammar.
 */
export function viableOptions(options: readonly Shape[], toks: readonly Tk[], pos: number): Shape[] {
  const fit = options.filter((o) => startsWith(o, toks[pos]!));
  if (fit.length <= 1) return fit;
  const window = toks.slice(pos, pos + 2);
  const rank = (o: Shape): number => {
    const r = readCore(o, window);
    if (r.mismatch !== undefined) return 3;
    if (window.length === 1) return r.end === 1 ? 0 : 1;
    return r.end === 1 ? 1 : 0;
  };
  const ranked = fit.map((o, i) => ({ o, i, r: rank(o) })).filter((x) => x.r < 3);
  ranked.sort((x, y) => x.r - y.r || x.i - y.i);
  return ranked.length ? ranked.map((x) => x.o) : fit.slice(0, 1);
}

/** The alternative that reads the operands at `pos` (see viableOptions). */
export function chooseOption(options: readonly Shape[], toks: readonly Tk[], pos: number): Shape | undefined {
  return viableOptions(options, toks, pos)[0];
}

interface CoreReading {
  leaves: (Leaf | undefined)[];
  next: Leaf[];
  /** the position after the shape, or -1 when reading stopped (out of operands, or a mismatch) */
  end: number;
  /** the first operand that does not fit where the shape expects something */
  mismatch?: number;
}

function readCore(shape: Shape, toks: readonly Tk[]): CoreReading {
  const leaves: (Leaf | undefined)[] = new Array(toks.length);
  const next: Leaf[] = [];
  let mismatch: number | undefined;
  const len = toks.length;
  const read = (s: Shape, pos: number): number => {
    switch (s.t) {
      case "seq":
        for (const p of s.parts) {
          pos = read(p, pos);
          if (pos < 0) return -1;
        }
        return pos;
      case "opt":
        if (pos === len) {
          next.push(...firstLeaves(s.shape).leaves);
          return pos;
        }
        return startsWith(s.shape, toks[pos]!, false) ? read(s.shape, pos) : pos;
      case "alt": {
        if (pos === len) {
          const f = firstLeaves(s);
          next.push(...f.leaves);
          return f.empty ? pos : -1;
        }
        const viable = viableOptions(s.options, toks, pos);
        if (viable.length) {
          // at the last operand the others may still be what is being written: what they would
          // read next may come next as well (`talks_to a via x, b` then `via` or `,`)
          if (pos + 1 === len) for (const o of viable.slice(1)) next.push(...readCore(o, toks.slice(pos)).next);
          return read(viable[0]!, pos);
        }
        const empty = s.options.find((o) => firstLeaves(o).empty);
        if (empty) return read(empty, pos);
        mismatch = pos;
        return -1;
      }
      case "names": {
        pos = read(s.first ?? s.item, pos);
        while (pos >= 0 && pos < len && toks[pos]!.kind === ",") {
          leaves[pos] = COMMA;
          pos = read(s.item, pos + 1);
        }
        if (pos === len) next.push(COMMA);
        return pos;
      }
      case "constraint":
        return read(CONSTRAINT_SHAPE, pos);
      default: {
        if (pos === len) {
          next.push(s);
          return -1;
        }
        const tk = toks[pos]!;
        if (!acceptsLeaf(s, tk, false)) {
          mismatch = pos;
          return -1;
        }
        leaves[pos] = s;
        if (s.t === "enum" && s.then) {
          // what follows depends on the word; after a word outside the set nothing can be read
          if (!s.vocab.values.includes(tk.image)) return -1;
          const then = Object.hasOwn(s.then, tk.image) ? s.then[tk.image] : undefined;
          return then ? read(then, pos + 1) : pos + 1;
        }
        return pos + 1;
      }
    }
  };
  const end = read(shape, 0);
  const out: CoreReading = { leaves, next, end };
  if (mismatch !== undefined) out.mismatch = mismatch;
  return out;
}

/** Reads `toks` against `shape`. */
export function readShape(shape: Shape, toks: readonly Tk[]): ShapeReading {
  const core = readCore(shape, toks);
  let mismatch = core.mismatch;
  if (core.end >= 0 && core.end < toks.length) mismatch = core.end;
  const complete = core.end === toks.length;
  const out: ShapeReading = { leaves: core.leaves, complete, next: mismatch === undefined ? core.next : [] };
  if (mismatch !== undefined) out.mismatch = mismatch;
  return out;
}

/** A token as the reader sees it; a `[` or `{` token stands for its whole list or block. */
export function tkOfToken(t: IToken): Tk {
  const type = t.tokenType;
  const kind: TokKind =
    type === Word
      ? "word"
      : type === StringLiteral
        ? "string"
        : type === Quantity
          ? "quantity"
          : type === DateLiteral
            ? "date"
            : type === LBracket
              ? "list"
              : type === LCurly
                ? "block"
                : type === Arrow
                  ? "=>"
                  : type === GtEq
                    ? ">="
                    : type === Gt
                      ? ">"
                      : type === Comma
                        ? ","
                        : "other";
  return { kind, image: t.image };
}

/** An operand of the uniform syntax tree as the reader sees it. */
export function tkOfOperand(op: SOperand): Tk {
  if (op.t === "list") return { kind: "list", image: "[" };
  if (op.t === "block") return { kind: "block", image: "{" };
  return tkOfToken(op.tok);
}
