// Trust-boundary markers around untrusted text. Content is neutralised first: anything that reads as
// a boundary marker once case, spacing, punctuation, invisible characters and homoglyphs are ignored
// is replaced, so the only end marker in the wrapped string is the real one at the very end.

import { foldCodePoint, foldText, isAscii } from "../detector/normalise.js";

export type TrustLevel = "untrusted" | "low" | "medium" | "high";

export interface WrapOptions {
  source: string;
  trust: TrustLevel;
}

/** Folded, alphanumeric-only spellings that read as a boundary marker. */
const MARKER_KEYS = ["untrustedcontent", "beginuntrusted", "enduntrusted", "untrusteddata", "untrustedtext", "untrustedinput"];
export const NEUTRALISED = "[marker-like text removed]";

/** The text's letters and digits, folded and lower-cased, with the offset of each in the original. */
function alnumKey(text: string): { key: string; start: number[]; end: number[] } {
  let key = "";
  const start: number[] = [];
  const end: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const next = offset + ch.length;
    // Accented letters stay non-ASCII here, so they separate marker words instead of adding letters.
    for (const c of foldCodePoint(ch, true).toLowerCase()) {
      if ((c >= "a" && c <= "z") || (c >= "0" && c <= "9")) {
        key += c;
        start.push(offset);
        end.push(next);
      }
    }
    offset = next;
  }
  return { key, start, end };
}

function markerSpans(text: string): [number, number][] {
  const { key, start, end } = alnumKey(text);
  const spans: [number, number][] = [];
  for (const needle of MARKER_KEYS) {
    let at = key.indexOf(needle);
    while (at !== -1) {
      spans.push([start[at]!, end[at + needle.length - 1]!]);
      at = key.indexOf(needle, at + 1);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/**
 * Every marker key contains "untrusted", so a marker can only be present where those nine letters appear in
 * order with nothing alphanumeric between them. Tested on the folded text (ASCII text is its own fold), this
 * is a necessary condition for markerSpans to find anything: a character the regex counts as a separator
 * (any non-ASCII one) can only add letters to the key that break the sequence, never make one. One regex
 * pass replaces a per-character walk that cost more than the detector's rules on ordinary text.
 */
const UNTRUSTED_LETTERS = /u[^a-z0-9]*n[^a-z0-9]*t[^a-z0-9]*r[^a-z0-9]*u[^a-z0-9]*s[^a-z0-9]*t[^a-z0-9]*e[^a-z0-9]*d/i;

function mayHoldMarker(text: string): boolean {
  return UNTRUSTED_LETTERS.test(isAscii(text) ? text : foldText(text));
}

/** Replaces every marker look-alike in `text`; repeats until none is left (replacements can join letters). */
export function neutraliseMarkers(text: string): string {
  if (!mayHoldMarker(text)) return text;
  let out = text;
  for (let round = 0; round < 8; round++) {
    const spans = markerSpans(out);
    if (spans.length === 0) return out;
    let next = "";
    let cursor = 0;
    for (const [s, e] of spans) {
      next += out.slice(cursor, s) + NEUTRALISED;
      cursor = e;
    }
    out = next + out.slice(cursor);
  }
  // Unreachable in practice; keep only what cannot spell a marker rather than return unsafe text.
  return out.replace(/[^\x20-\x7E\n\t]/g, "").replace(/untrusted/gi, NEUTRALISED);
}

function sourceLabel(source: string): string {
  const cleaned = source.replace(/[^A-Za-z0-9._:/@+-]/g, "_").slice(0, 120);
  return neutraliseMarkers(cleaned) === cleaned ? cleaned || "unknown" : "unnamed-source";
}

export function beginMarker(options: WrapOptions): string {
  return `<<<BEGIN UNTRUSTED CONTENT source="${sourceLabel(options.source)}" trust="${options.trust}">>>`;
}

export function endMarker(options: WrapOptions): string {
  return `<<<END UNTRUSTED CONTENT source="${sourceLabel(options.source)}">>>`;
}

/** `text` between begin and end markers naming its source and trust level, marker look-alikes neutralised. */
export function wrapUntrusted(text: string, options: WrapOptions): string {
  return `${beginMarker(options)}\n${neutraliseMarkers(text)}\n${endMarker(options)}`;
}
