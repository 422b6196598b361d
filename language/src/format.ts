// The canonical layout of Charter text. It prints the uniform syntax tree token by token, so it
// cannot change meaning (statements end at keywords, not at line breaks), and every comment is
// emitted exactly once, where it was. Layout: two-space indentation, one statement a line, one
// blank line between declarations, at most one kept between statements, `name: value` objects in
// tests inline. A file with syntax errors is not formatted: guessing would lose text.

import type { IToken } from "chevrotain";
import { LineIndex } from "./diagnostics.js";
import { Colon, Comma } from "./lexer.js";
import { parseSyntax, type SBlock, type SItem, type SList, type SOperand } from "./syntax.js";

export type FormatResult = { ok: true; text: string } | { ok: false; reason: string };

export function formatText(text: string): FormatResult {
  const tree = parseSyntax(text);
  if (tree.errors.length) {
    const e = tree.errors[0]!;
    const at = new LineIndex(text).position(e.start);
    return { ok: false, reason: `syntax error at ${at.line + 1}:${at.character + 1}: ${e.message}` };
  }
  const p = new Printer(text, tree.comments, lineEnding(text));
  p.items(tree.items, 0, true);
  p.restComments(Infinity, 0);
  return { ok: true, text: p.finish() };
}

/** The file's line ending: CRLF when most of its line breaks are CRLF (Windows checkouts), else LF. */
function lineEnding(text: string): "\n" | "\r\n" {
  let lf = 0;
  let crlf = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    if (text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

class Printer {
  private out: string[] = [];
  private line = "";
  private ci = 0;

  constructor(
    private readonly text: string,
    private readonly comments: IToken[],
    private readonly eol: "\n" | "\r\n",
  ) {}

  finish(): string {
    this.newline();
    while (this.out.length && this.out[this.out.length - 1] === "") this.out.pop();
    // an empty (or blank) file stays empty rather than gaining a line break
    if (!this.out.length) return "";
    // block comments keep their own line breaks: written in the file's line ending like the rest
    const text = this.out.join("\n") + "\n";
    return this.eol === "\n" ? text : text.replace(/\r?\n/g, "\r\n");
  }

  private newline(): void {
    if (this.line.trim() !== "") this.out.push(this.line.replace(/\s+$/, ""));
    this.line = "";
  }

  private blankLine(): void {
    this.newline();
    if (this.out.length && this.out[this.out.length - 1] !== "") this.out.push("");
  }

  private write(s: string): void {
    this.line += s;
  }

  private indent(level: number): void {
    if (this.line === "") this.line = "  ".repeat(level);
  }

  private nextComment(): IToken | undefined {
    return this.comments[this.ci];
  }

  /** Comments that come before `offset`, each on a line of its own. */
  restComments(offset: number, level: number): void {
    for (let c = this.nextComment(); c && c.startOffset < offset; c = this.nextComment()) {
      this.newline();
      if (this.hadBlankLineBefore(c.startOffset) && this.out.length && this.out[this.out.length - 1] !== "") this.out.push("");
      this.indent(level);
      this.write(c.image);
      this.newline();
      this.ci++;
    }
  }

  /** A comment on the same source line right after `end`, kept at the end of the printed line. */
  private trailingComment(end: number): void {
    const c = this.nextComment();
    if (!c) return;
    const between = this.text.slice(end, c.startOffset);
    if (between.includes("\n") || between.trim() !== "") return;
    this.write(" " + c.image);
    this.ci++;
    if (c.image.startsWith("//")) this.newline();
  }

  private hadBlankLineBefore(offset: number): boolean {
    let i = offset - 1;
    while (i >= 0 && (this.text[i] === " " || this.text[i] === "\t" || this.text[i] === "\r")) i--;
    if (this.text[i] !== "\n") return false;
    i--;
    while (i >= 0 && (this.text[i] === " " || this.text[i] === "\t" || this.text[i] === "\r")) i--;
    return this.text[i] === "\n";
  }

  items(items: SItem[], level: number, topLevel = false): void {
    items.forEach((item, n) => {
      if (n > 0 && (topLevel || this.hadBlankLineBefore(this.firstOffset(item)))) this.blankLine();
      this.restComments(item.start, level);
      this.newline();
      this.indent(level);
      this.statement(item, level);
      this.trailingComment(item.end);
      this.newline();
    });
  }

  /** Where an item's text starts, counting comments right above it as part of it. */
  private firstOffset(item: SItem): number {
    const c = this.nextComment();
    return c && c.startOffset < item.start ? c.startOffset : item.start;
  }

  private statement(item: SItem, level: number): void {
    this.write(item.key.image);
    if (item.question) this.write("?");
    if (item.colon) this.write(":");
    for (const op of item.operands) {
      this.inlineComments(op.start, level);
      if (op.t === "tok" && op.tok.tokenType === Comma) {
        this.write(",");
        continue;
      }
      this.write(this.line.endsWith("  ".repeat(level + 1)) && this.line.trim() === "" ? "" : " ");
      this.operand(op, level);
    }
  }

  /** Comments between the operands of one statement stay where they were. */
  private inlineComments(before: number, level: number): void {
    for (let c = this.nextComment(); c && c.startOffset < before; c = this.nextComment()) {
      this.write(" " + c.image);
      this.ci++;
      if (c.image.startsWith("//")) {
        this.newline();
        this.indent(level + 1);
      }
    }
  }

  private operand(op: SOperand, level: number): void {
    if (op.t === "tok") {
      this.write(op.tok.image);
      if (op.tok.tokenType === Colon) return;
      return;
    }
    if (op.t === "list") return this.list(op, level);
    return this.block(op, level);
  }

  /** `[a, b]`: commas are kept where they were written (a trailing one too), spacing is canonical. */
  private list(list: SList, level: number): void {
    this.write("[");
    let first = true;
    for (const el of list.items) {
      this.inlineComments(el.start, level);
      if (el.t === "tok" && el.tok.tokenType === Comma) {
        this.write(",");
        continue;
      }
      if (!first) this.write(" ");
      first = false;
      this.operand(el, level);
    }
    this.inlineComments(list.end, level);
    this.write("]");
  }

  private block(block: SBlock, level: number): void {
    if (block.kind === "object") return this.object(block, level);
    if (block.items.length === 0 && !this.hasCommentBefore(block.end)) {
      this.write("{}");
      return;
    }
    this.write("{");
    this.trailingComment(block.start + 1);
    this.newline();
    this.items(block.items, level + 1);
    this.restComments(block.end, level + 1);
    this.newline();
    this.indent(level);
    this.write("}");
  }

  private hasCommentBefore(offset: number): boolean {
    const c = this.nextComment();
    return !!c && c.startOffset < offset;
  }

  /** `{ key: value, … }` in a test: inline, with the commas as written. */
  private object(block: SBlock, level: number): void {
    if (block.items.length === 0) {
      this.inlineComments(block.end, level);
      this.write("{}");
      return;
    }
    this.write("{");
    for (const item of block.items) {
      this.inlineComments(item.start, level);
      this.write(" " + item.key.image);
      if (item.colon) this.write(":");
      for (const op of item.operands) {
        this.inlineComments(op.start, level);
        if (op.t === "tok" && op.tok.tokenType === Comma) {
          this.write(",");
          continue;
        }
        this.write(" ");
        this.operand(op, level);
      }
    }
    this.inlineComments(block.end, level);
    this.write(" }");
  }
}
