// Finds instructions hidden in base64 and hex runs: decodes each long run and keeps the ones that
// read as printable English. Bounded work per text (at most MAX_RUNS decodes) so hostile input
// cannot make the rule layer slow.

const MIN_BASE64_RUN = 16;
/** Characters of standard and URL-safe base64; a table lookup scans text several times faster than a regex. */
const BASE64_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-") BASE64_CHAR[c.charCodeAt(0)] = 1;

/** Maximal runs of at least 16 base64 characters (plus up to two "=" of padding), at most `max` of them. */
function base64Runs(text: string, max: number): string[] {
  const runs: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if (c < 128 && BASE64_CHAR[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_BASE64_RUN) {
      let end = i;
      while (end < text.length && end - i < 2 && text.charCodeAt(end) === 61) end++;
      runs.push(text.slice(start, end));
      if (runs.length >= max) break;
    }
    start = -1;
  }
  return runs;
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
export function decodedHexTexts(text: string): string[] {
  const out: string[] = [];
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
