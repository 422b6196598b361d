// Semantic classification of every token: keywords, enum values, the names of agents, tools,
// sources and interfaces (declarations marked), literals, operators and comments. The legend is
// fixed here; the server encodes the spans in LSP's relative form.

import type { IToken } from "chevrotain";
import { Arrow, DateLiteral, Gt, GtEq, Quantity, Star, StringLiteral, Word } from "../lexer.js";
import { CONSTRAINT_SHAPE, isPairBlock, keywordInfo, type BlockKind } from "../schema.js";
import { readShape, tkOfOperand } from "../shape.js";
import type { SItem, SyntaxTree } from "../syntax.js";
import type { SymbolIndex, SymbolKind } from "./symbols.js";

export const TOKEN_TYPES = [
  "keyword",
  "enumMember",
  "class",
  "function",
  "variable",
  "interface",
  "namespace",
  "parameter",
  "property",
  "string",
  "number",
  "operator",
  "comment",
] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export const TOKEN_MODIFIERS = ["declaration"] as const;

export interface ClassifiedToken {
  start: number;
  end: number;
  type: TokenType;
  declaration: boolean;
}

const SYMBOL_TYPE: Record<SymbolKind, TokenType> = { agent: "class", tool: "function", source: "variable", interface: "interface" };

export function classifyTokens(syntax: SyntaxTree, symbols: SymbolIndex): ClassifiedToken[] {
  const out: ClassifiedToken[] = [];
  const push = (tok: IToken, type: TokenType, declaration = false) =>
    out.push({ start: tok.startOffset, end: tok.startOffset + tok.image.length, type, declaration });
  const visit = (items: readonly SItem[], kind: BlockKind) => {
    for (const item of items) {
      const pair = isPairBlock(kind);
      push(item.key, pair ? (kind === "args" ? "parameter" : "property") : "keyword");
      // what the grammar reads each operand as: a connective word is a keyword, a closed word a value
      const shape = pair ? (kind === "args" ? CONSTRAINT_SHAPE : undefined) : keywordInfo(kind, item.key.image)?.shape;
      const leaves = shape ? readShape(shape, item.operands.map(tkOfOperand)).leaves : [];
      item.operands.forEach((op, n) => {
        if (op.t === "block") {
          visit(op.items, op.kind);
          return;
        }
        if (op.t === "list") {
          visitList(op.items);
          return;
        }
        const tok = op.tok;
        if (tok.tokenType === Word) {
          const occ = symbols.at(tok.startOffset);
          if (occ && occ.span.start === tok.startOffset) push(tok, SYMBOL_TYPE[occ.symbol.kind], occ.decl);
          else if (kind === "file" && n === 0 && item.key.image === "policy") push(tok, "namespace", true);
          else if (leaves[n]?.t === "enum") push(tok, "enumMember");
          else if (tok.image === "true" || tok.image === "false" || tok.image === "null") push(tok, "enumMember");
          else push(tok, "keyword");
        } else literal(tok);
      });
    }
  };
  const visitList = (ops: SyntaxTree["items"][number]["operands"]) => {
    for (const op of ops) {
      if (op.t === "tok") literal(op.tok);
      else if (op.t === "list") visitList(op.items);
      else visit(op.items, op.kind);
    }
  };
  const literal = (tok: IToken) => {
    if (tok.tokenType === StringLiteral) push(tok, "string");
    else if (tok.tokenType === Quantity || tok.tokenType === DateLiteral) push(tok, "number");
    else if (tok.tokenType === Arrow || tok.tokenType === Gt || tok.tokenType === GtEq || tok.tokenType === Star) push(tok, "operator");
  };
  visit(syntax.items, "file");
  for (const c of syntax.comments) push(c, "comment");
  return out.sort((a, b) => a.start - b.start);
}
