// Pure core of `charter scan --jsonl FILE`: scores each JSON record's `text` and renders one output
// line per input line. Malformed lines become error values carrying their line number, never throws,
// so one bad record does not hide the scores of the others.

import { unescapeStringLiterals } from "./normalise.js";
import type { Detector } from "./types.js";

export type ScanLine = { ok: true; id: string | number; score: number; signals: string[] } | { ok: false; line: number; error: string };

/** Scores a JSONL text. `line` numbers are 1-based; a record without an id gets its 0-based line index. */
export function scanRecords(jsonl: string, detector: Detector): ScanLine[] {
  const out: ScanLine[] = [];
  const lines = jsonl.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (e) {
      out.push({ ok: false, line: i + 1, error: `line ${i + 1}: not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (typeof record !== "object" || record === null || typeof (record as { text?: unknown }).text !== "string") {
      out.push({ ok: false, line: i + 1, error: `line ${i + 1}: expected an object with a string "text" field` });
      continue;
    }
    const { id, text } = record as { id?: unknown; text: string };
    const result = detector.score(text);
    out.push({
      ok: true,
      id: typeof id === "string" || typeof id === "number" ? id : i,
      score: Math.round(result.score * 1e6) / 1e6,
      signals: result.signals,
    });
  }
  return out;
}

/** The output lines: `{"id":…,"score":…,"signals":[…]}` or `{"line":…,"error":…}`. */
export function scanJsonl(jsonl: string, detector: Detector): string[] {
  return scanRecords(jsonl, detector).map((r) =>
    r.ok ? JSON.stringify({ id: r.id, score: r.score, signals: r.signals }) : JSON.stringify({ line: r.line, error: r.error }),
  );
}

export interface ScoredPassage {
  /** The passage (one line of the text, trimmed), cut to 200 characters. */
  text: string;
  /** 1-based line number of the passage in the text. */
  line: number;
  score: number;
  signals: string[];
}

/**
 * The passages of a text that scored highest, for explaining a score: each non-empty line scored on its
 * own (string escapes decoded first, so a JSON tool result shows the lines of its strings), highest
 * first. Used by `charter scan --format text`.
 */
export function topPassages(text: string, detector: Detector, limit = 3): ScoredPassage[] {
  const lines = unescapeStringLiterals(text).split(/\r?\n/);
  const scored: ScoredPassage[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const r = detector.score(line);
    scored.push({
      text: line.length > 200 ? line.slice(0, 199) + "…" : line,
      line: i + 1,
      score: Math.round(r.score * 1e4) / 1e4,
      signals: r.signals,
    });
  }
  return scored.sort((a, b) => b.score - a.score || a.line - b.line).slice(0, limit);
}
