// Finds instructions hidden in base64 and hex runs: decodes each long run and keeps the ones that
// read as printable English. Bounded work per text (at most MAX_RUNS decodes) so hostile input
// cannot make the rule layer slow.

import { codeUnits } from "./normalise.js";

const MIN_BASE64_RUN = 16;

/** Characters of standard and URL-safe base64; a table lookup scans text several times faster than a regex. */
const BASE64_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-") BASE64_CHAR[c.charCodeAt(0)] = 1;

/** Characters a HEX_RUN match is made of: hex digits, and the "\\x", "%", " " or ":" around them. */
const HEX_RUN_CHAR = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF\\x% :") HEX_RUN_CHAR[c.charCodeAt(0)] = 1;

const HEX_DIGIT = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF") HEX_DIGIT[c.charCodeAt(0)] = 1;

const isIn = (table: Uint8Array, c: number) => c < 128 && table[c] === 1;

/**
 * Calls `found(start, end)` for each maximal run of at least `min` characters of `table`, in order,
 * until it returns false. Probes every `min`-th character instead of reading them all: a run that long
 * must cover the probe, so when the probe is outside the table nothing before it can start such a run
 * (the scan only ever starts right after a character outside the table).
 */
function eachRun(a: Uint16Array, table: Uint8Array, min: number, found: (start: number, end: number) => boolean): void {
  const n = a.length;
  let i = 0;
  while (i + min <= n) {
    const probe = i + min - 1;
    if (!isIn(table, a[probe]!)) {
      i = probe + 1;
      continue;
    }
    let start = probe;
    while (start > i && isIn(table, a[start - 1]!)) start--;
    let end = probe + 1;
    while (end < n && isIn(table, a[end]!)) end++;
    if (end - start >= min && !found(start, end)) return;
    i = end + 1;
  }
}

/** Maximal runs of at least 16 base64 characters (plus up to two "=" of padding), at most `max` of them. */
function base64Runs(text: string, max: number): string[] {
  const runs: string[] = [];
  const a = codeUnits(text);
  eachRun(a, BASE64_CHAR, MIN_BASE64_RUN, (start, end) => {
    let stop = end;
    while (stop < a.length && stop - end < 2 && a[stop] === 61) stop++;
    runs.push(text.slice(start, stop));
    return runs.length < max;
  });
  return runs;
}

/**
 * False when HEX_RUN cannot match. Each of its forms is a run of at least 24 of HEX_RUN_CHAR holding
 * at least 16 hex digits (8 "\\xXX" or "%XX", or 12 byte pairs) with never two of " " and ":" in a
 * row, which leaves out prose and most tables of numbers (their columns are padded with spaces).
 */
function mayHaveHexRun(text: string): boolean {
  let found = false;
  const a = codeUnits(text);
  eachRun(a, HEX_RUN_CHAR, 24, (start, end) => {
    let digits = 0;
    let separated = false;
    for (let i = start; i < end && !found; i++) {
      const c = a[i]!;
      if (c === 32 || c === 58) {
        if (separated) digits = 0;
        separated = true;
      } else {
        separated = false;
        if (HEX_DIGIT[c] === 1 && ++digits >= 16) found = true;
      }
    }
    return !found;
  });
  return found;
}

// Hex-encoded ASCII text has a high nibble of 0–7 in every byte; requiring it makes the scan fail fast on words.
const HEX_RUN = /(?:\\x[0-7][0-9a-fA-F]){8,}|(?:%[0-7][0-9a-fA-F]){8,}|\b(?:[0-7][0-9a-fA-F][ :]?){12,}/g;
const MAX_RUNS = 64;

function printableEnglish(s: string): boolean {
  if (s.length < 8) return false;
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
  }
  if (printable / s.length <= 0.95 || !s.includes(" ")) return false;
  // A shell download piped into a shell has few letters but is exactly what a hidden payload runs.
  return letters / s.length > 0.5 || /\b(?:curl|wget)\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/.test(s);
}

function decodeBase64(run: string): string | undefined {
  const std = run.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  // a run of 4n+1 characters is not base64; atob would throw, and a thrown DOMException costs more
  // than the whole scan of a typical document
  if (std.length % 4 === 1) return undefined;
  return Buffer.from(std, "base64").toString("latin1");
}

/** Printable texts decoded from base64 runs of at least 16 characters. */
export function decodedBase64Texts(text: string): string[] {
  const out: string[] = [];
  for (const run of base64Runs(text, MAX_RUNS)) {
    if (!/[a-z]/.test(run) || !/[A-Z0-9]/.test(run)) continue; // plain words and hex are not base64
    const decoded = decodeBase64(run);
    if (decoded !== undefined && printableEnglish(decoded)) out.push(decoded);
  }
  return out;
}

/** Printable texts decoded from hex runs (`69 67 6e`, `69676e…`, `\x69\x67`) of at least 12 bytes. */
export function decodedHexTexts(text: string, gated = true): string[] {
  const out: string[] = [];
  if (gated && !mayHaveHexRun(text)) return out;
  let n = 0;
  for (const m of text.matchAll(HEX_RUN)) {
    if (++n > MAX_RUNS) break;
    const digits = m[0].replace(/\\x|[ :%]/g, "");
    let decoded = "";
    for (let i = 0; i + 1 < digits.length; i += 2) decoded += String.fromCharCode(parseInt(digits.slice(i, i + 2), 16));
    if (printableEnglish(decoded)) out.push(decoded);
  }
  return out;
}
