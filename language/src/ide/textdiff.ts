// The smallest line edits that turn one text into another (Myers' diff over lines). The server
// answers formatting with these rather than one whole-document replacement, so that cursors,
// breakpoints and range formatting keep their place.

import type { Span } from "../ast.js";

export interface LineEdit {
  span: Span;
  newText: string;
}

function splitLines(text: string): { lines: string[]; starts: number[] } {
  const lines: string[] = [];
  const starts: number[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const end = nl < 0 ? text.length : nl + 1;
    starts.push(at);
    lines.push(text.slice(at, end));
    at = end;
  }
  starts.push(text.length);
  return { lines, starts };
}

/** Edits, in text order and non-overlapping, each replacing whole lines of `before`. */
export function lineEdits(before: string, after: string): LineEdit[] {
  if (before === after) return [];
  const a = splitLines(before);
  const b = splitLines(after);
  const n = a.lines.length;
  const m = b.lines.length;
  // Myers: furthest-reaching paths per diagonal, keeping each round's frontier for the backtrack
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? v.get(k + 1)! : v.get(k - 1)! + 1;
      let y = x - k;
      while (x < n && y < m && a.lines[x] === b.lines[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // walk back to list the matched line pairs
  const matches: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd.get(prevK)!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY && x > 0 && y > 0) {
      matches.push([x - 1, y - 1]);
      x--;
      y--;
    }
    if (d > 0) {
      x = prevX;
      y = prevY;
    }
  }
  matches.reverse();
  const edits: LineEdit[] = [];
  let ai = 0;
  let bi = 0;
  for (const [ma, mb] of [...matches, [n, m] as [number, number]]) {
    if (ma > ai || mb > bi) {
      edits.push({ span: { start: a.starts[ai]!, end: a.starts[ma]! }, newText: b.lines.slice(bi, mb).join("") });
    }
    ai = ma + 1;
    bi = mb + 1;
  }
  return edits;
}
