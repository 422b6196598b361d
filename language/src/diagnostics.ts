// The one diagnostic model of Charter. The checker produces these; the CLI, the language server,
// the GitHub Action and SARIF output render them, and never invent messages of their own.
// Ranges are LSP-style (0-based line and UTF-16 character); spans are offsets into the text.

import type { Span } from "./ast.js";

export type Severity = "error" | "warning" | "info";

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  span: Span;
  range: Range;
  newText: string;
}

/** A machine-applicable fix: applying every edit gives text free of this diagnostic. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Related {
  span: Span;
  range: Range;
  message: string;
}

export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  span: Span;
  range: Range;
  help?: string;
  related?: Related[];
  fix?: Fix;
}

/** What a diagnostic is before the file's line index places it: ranges are filled in by `locate`. */
export interface RawDiagnostic {
  code: Code;
  severity?: Severity;
  message: string;
  span: Span;
  help?: string;
  related?: { span: Span; message: string }[];
  fix?: { title: string; edits: { span: Span; newText: string }[] };
}

interface CodeInfo {
  severity: Severity;
  title: string;
}

/** Every stable code of spec §5, with its default severity and a short title (the docs page heading). */
export const CODES = {
  CH0001: { severity: "error", title: "syntax error" },
  CH0002: { severity: "error", title: "unknown keyword or property" },
  CH0003: { severity: "error", title: "invalid literal" },
  CH0004: { severity: "warning", title: "invisible, BIDI or confusable characters" },
  CH1001: { severity: "error", title: "duplicate agent" },
  CH1002: { severity: "error", title: "duplicate tool in an agent" },
  CH1003: { severity: "error", title: "property given twice" },
  CH1004: { severity: "error", title: "unknown reference" },
  CH1005: { severity: "error", title: "tool both granted and denied" },
  CH1006: { severity: "error", title: "talks_to an interface that is not exposed" },
  CH2001: { severity: "error", title: "wildcard grant" },
  CH2002: { severity: "error", title: "exclusion-based grant" },
  CH2003: { severity: "error", title: "default allow" },
  CH2004: { severity: "error", title: "wildcard in a constraint or allowlist" },
  CH2005: { severity: "error", title: "cross-agent inheritance or delegation" },
  CH2006: { severity: "error", title: "tool without scope" },
  CH2007: { severity: "error", title: "tool without rate" },
  CH3001: { severity: "error", title: "tool without tier" },
  CH3002: { severity: "error", title: "high-tier tool without approval" },
  CH3003: { severity: "error", title: "approval without timeout" },
  CH3004: { severity: "error", title: "approval that auto-approves on timeout" },
  CH3005: { severity: "error", title: "high-tier tool without reversal playbook" },
  CH3006: { severity: "error", title: "approval without approvers" },
  CH3007: { severity: "warning", title: "consequential tool classified low tier" },
  CH3008: { severity: "warning", title: "agent or policy in monitor mode" },
  CH3009: { severity: "error", title: "rule asks for approval but the tool names nobody who approves" },
  CH4001: { severity: "error", title: "baseline multiplier not above 1.0x" },
  CH4002: { severity: "error", title: "novel_sequence score outside 0..1" },
  CH4003: { severity: "error", title: "monitoring window not positive" },
  CH4004: { severity: "error", title: "agent without effective monitoring" },
  CH5001: { severity: "error", title: "source threshold outside 0..1" },
  CH5002: { severity: "error", title: "less-trusted source with a laxer threshold" },
  CH6001: { severity: "error", title: "code-executing agent without sandbox" },
  CH6002: { severity: "error", title: "sandbox without resource limits" },
  CH6003: { severity: "error", title: "sandbox without network allowlist" },
  CH6004: { severity: "error", title: "code-executing agent with persistent filesystem" },
  CH6005: { severity: "error", title: "document-processing agent with a non-read tool" },
  CH7001: { severity: "error", title: "audit retention below 365d" },
  CH7002: { severity: "error", title: "raw PII in audit records" },
  CH7003: { severity: "error", title: "agent without effective audit" },
  CH8001: { severity: "warning", title: "policy has no review" },
  CH8002: { severity: "warning", title: "policy changed since review" },
  CH8003: { severity: "warning", title: "review older than its cadence" },
  CH8004: { severity: "warning", title: "review signature invalid or signer not allowed" },
  CH8005: { severity: "error", title: "policy without owner" },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export const ALL_CODES = Object.keys(CODES) as Code[];

/** The review codes, which become errors when review is required (spec §5, footnote). */
export const REVIEW_CODES: readonly Code[] = ["CH8001", "CH8002", "CH8003", "CH8004"];

/** Where each code's documentation page lives, relative to the repository root. */
export function docsPath(code: Code): string {
  return `docs/diagnostics/${code}.md`;
}

/** Public URL of a code's page; the base is overridable so forks and mirrors link to themselves. */
export const DOCS_BASE_URL = "https://github.com/charter-policy/charter/blob/main/";
export function docsUrl(code: Code, base = DOCS_BASE_URL): string {
  return base + docsPath(code);
}

// ---------------------------------------------------------------- positions

/** Maps offsets to LSP positions. Built once per text; lookups are a binary search. */
export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.lineStarts = starts;
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo]! };
  }
  range(span: Span): Range {
    return { start: this.position(span.start), end: this.position(span.end) };
  }
  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.lineStarts.length - 1));
    const start = this.lineStarts[line]!;
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    return Math.min(start + Math.max(0, pos.character), next);
  }
  /** The text of a 0-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    const end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, "");
  }
}

/** Places raw diagnostics in the text and gives each its default severity. */
export function locate(raw: readonly RawDiagnostic[], index: LineIndex): Diagnostic[] {
  return raw.map((d) => {
    const out: Diagnostic = {
      code: d.code,
      severity: d.severity ?? CODES[d.code].severity,
      message: d.message,
      span: d.span,
      range: index.range(d.span),
    };
    if (d.help) out.help = d.help;
    if (d.related?.length) out.related = d.related.map((r) => ({ span: r.span, range: index.range(r.span), message: r.message }));
    if (d.fix)
      out.fix = { title: d.fix.title, edits: d.fix.edits.map((e) => ({ span: e.span, range: index.range(e.span), newText: e.newText })) };
    return out;
  });
}

/** Stable order for output: by position, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** Edit distance for did-you-mean suggestions (names are short; O(n·m) is fine). */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD && d <= Math.min(maxDistance, Math.max(1, Math.floor(c.length / 2)))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * The one way to say "unknown word, did you mean …": the closest candidate becomes the help line and
 * a fix that replaces the word, so every did-you-mean (keywords, values, references) reads and
 * applies the same. Without a close candidate, `otherwise` is the help.
 */
export function suggest(
  code: Code,
  span: Span,
  message: string,
  word: string,
  candidates: Iterable<string>,
  otherwise?: string,
): RawDiagnostic {
  const guess = closest(word, candidates);
  const d: RawDiagnostic = { code, span, message };
  if (guess !== undefined) {
    d.help = `did you mean '${guess}'?`;
    d.fix = { title: `Replace with '${guess}'`, edits: [{ span, newText: guess }] };
  } else if (otherwise) d.help = otherwise;
  return d;
}
