// Golden files: compared byte for byte; regenerated only with UPDATE_GOLDEN=1, never by hand.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";

export const updating = process.env.UPDATE_GOLDEN === "1";

export function expectGolden(path: string, actual: string): void {
  if (updating || !existsSync(path)) {
    if (!updating) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 to create it, then review it`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

// ---------------------------------------------------------------------------------------------
// Inline diagnostic annotations (rust-analyzer style), used by examples/invalid/*.charter.
//
// An annotation is a comment line that starts at column 0 with `//`, then spaces, then carets:
//
//     tool issueRefund { scope write tier high }
//   //     ^^^^^^^^^^^ error[CH3002]: high-tier tool 'issueRefund' has no approval
//
// It describes one diagnostic whose range starts on the nearest line above that is not itself an
// annotation (several annotations may stack under one line). The first caret's column is the
// range's start column; the carets cover the range, so the last caret is the column before its end.
// Columns are UTF-16 code units, as in LSP ranges. Two cases carets cannot show:
//   - a range that ends on a later line, or is empty: the carets run from the start column to the
//     end of the line (at least one), and ` (to L:C)` after the code gives the end, 1-based, in
//     this file's own lines: `// ^^^^ error[CH2005] (to 30:2): message`;
//   - a range starting in column 1 or 2 (1-based), under the `//`: a single caret at column 3 and
//     ` (at L:C-L:C)` gives the whole range, 1-based: `// ^ warning[CH0001] (at 8:1-8:4): message`.
// The message runs to the end of the line. Annotations are comments, so the checker sees the same
// policy with or without them; positions always refer to the file as it is, annotations included.
// ---------------------------------------------------------------------------------------------

export interface Pos {
  line: number;
  character: number;
}
export interface Expected {
  code: string;
  severity: string;
  message: string;
  range: { start: Pos; end: Pos };
}

const ANNOTATION_START = /^\/\/ *\^/;
const ANNOTATION = /^\/\/( *)(\^+) (error|warning|info)\[([A-Z]+[0-9]+)\](?: \((to|at) ([0-9:-]+)\))?: (.*)$/;

export function isAnnotation(line: string): boolean {
  return ANNOTATION_START.test(line);
}

function pos(s: string): Pos {
  const m = /^([0-9]+):([0-9]+)$/.exec(s);
  if (!m) throw new Error(`bad position '${s}' (want LINE:COLUMN, 1-based)`);
  return { line: Number(m[1]) - 1, character: Number(m[2]) - 1 };
}

/** The diagnostics a file's annotations expect. Throws, naming the line, on a malformed annotation. */
export function parseAnnotations(text: string, file = "<text>"): Expected[] {
  const lines = text.split("\n");
  const out: Expected[] = [];
  let source = -1;
  lines.forEach((line, i) => {
    if (!isAnnotation(line)) {
      source = i;
      return;
    }
    const where = `${file}:${i + 1}`;
    const m = ANNOTATION.exec(line);
    if (!m) throw new Error(`${where}: malformed annotation; want '//   ^^^ severity[CODE]: message'`);
    if (source < 0) throw new Error(`${where}: annotation with no source line above it`);
    const [, pad, carets, severity, code, kind, at, message] = m as unknown as string[];
    const startCol = 2 + pad!.length;
    let range: Expected["range"];
    if (kind === "at") {
      const [a, b] = at!.split("-");
      range = { start: pos(a!), end: pos(b ?? "") };
      if (range.start.line !== source)
        throw new Error(`${where}: (at ...) starts on line ${range.start.line + 1}, not on the annotated line ${source + 1}`);
    } else if (kind === "to") {
      range = { start: { line: source, character: startCol }, end: pos(at!) };
    } else {
      range = { start: { line: source, character: startCol }, end: { line: source, character: startCol + carets!.length } };
    }
    out.push({ code: code!, severity: severity!, message: message!, range });
  });
  return out;
}

/** The text without its annotation lines. */
export function stripAnnotations(text: string): string {
  return text
    .split("\n")
    .filter((l) => !isAnnotation(l))
    .join("\n");
}

/** One line showing a diagnostic (or expectation) in full, 1-based: for comparing and for failure output. */
export function showExpected(d: Expected): string {
  const r = d.range;
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${d.severity}[${d.code}]: ${d.message}`;
}

function byPosition(a: Expected, b: Expected): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    showExpected(a).localeCompare(showExpected(b))
  );
}

export function sortExpected<T extends Expected>(ds: readonly T[]): T[] {
  return [...ds].sort(byPosition);
}

function annotationFor(d: Expected, lineText: string): string {
  const { start, end } = d.range;
  const tag = `${d.severity}[${d.code}]`;
  if (start.character < 2)
    return `//^ ${tag} (at ${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}): ${d.message}`;
  const pad = " ".repeat(start.character - 2);
  if (end.line === start.line && end.character > start.character)
    return `//${pad}${"^".repeat(end.character - start.character)} ${tag}: ${d.message}`;
  const width = Math.max(1, lineText.length - start.character);
  return `//${pad}${"^".repeat(width)} ${tag} (to ${end.line + 1}:${end.character + 1}): ${d.message}`;
}

/**
 * The text with its annotations rewritten from what `check` reports (UPDATE_GOLDEN=1 only): the
 * old annotations are dropped, the source is checked, and annotations are placed under the lines
 * the diagnostics start on — repeated until the annotated file's own diagnostics are what it says
 * (messages or end lines may name positions, which the inserted lines move).
 */
export function annotate(text: string, check: (text: string) => readonly Expected[]): string {
  const source = stripAnnotations(text).split("\n");
  let current = source.join("\n");
  for (let round = 0; round < 5; round++) {
    // Which source line each line of `current` is (-1 for an annotation line).
    const origin: number[] = [];
    let s = 0;
    for (const l of current.split("\n")) origin.push(isAnnotation(l) ? -1 : s++);
    const under = new Map<number, string[]>();
    for (const d of sortExpected(check(current))) {
      const src = origin[d.range.start.line];
      if (src === undefined || src < 0) throw new Error(`cannot annotate ${showExpected(d)}: it starts on an annotation line`);
      const list = under.get(src) ?? [];
      list.push(annotationFor(d, source[src]!));
      under.set(src, list);
    }
    const next = source.flatMap((l, i) => [l, ...(under.get(i) ?? [])]).join("\n");
    if (next === current) return next;
    current = next;
  }
  throw new Error("annotations did not settle after 5 rounds");
}
