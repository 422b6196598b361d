// Text folding shared by the rules, the classifier features and the trust-boundary markers: removes
// invisible characters, decodes Unicode tag characters and maps common homoglyphs to Latin, so that
// obfuscated text is matched as what a model would read. Pure, no I/O; ASCII input takes a fast path.

const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const TAG_CHARS = /[\u{E0000}-\u{E007F}]/gu;
const NON_ASCII = /[^\x00-\x7F]/;

/** Cyrillic, Greek and other letters that render like Latin ones (after NFKC, which handles full-width and math letters). */
const HOMOGLYPHS: Record<string, string> = {
  "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
  "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ν": "v", "ο": "o", "α": "a", "ρ": "p",
  "ι": "i", "κ": "k", "ɑ": "a", "ı": "i", "ɩ": "i", "ʏ": "y", "ᴠ": "v", "ᴡ": "w", "ꮃ": "w", "ꓲ": "l",
  "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
  "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z",
  "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
};

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** The ASCII text hidden in Unicode tag characters (U+E0020..U+E007E), or "" when there is none. */
export function decodeTagCharacters(text: string): string {
  let out = "";
  for (const m of text.matchAll(TAG_CHARS)) {
    const cp = m[0].codePointAt(0)! - 0xe0000;
    if (cp >= 0x20 && cp < 0x7f) out += String.fromCharCode(cp);
  }
  return out;
}

/** Folds one code point to what it reads as: "" for invisible ones, ASCII for tags and homoglyphs. */
export function foldCodePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return ch;
  if (cp >= 0xe0000 && cp <= 0xe007f) return cp >= 0xe0020 && cp < 0xe007f ? String.fromCharCode(cp - 0xe0000) : "";
  ZERO_WIDTH.lastIndex = 0;
  if (ZERO_WIDTH.test(ch)) return "";
  const nfkc = ch.normalize("NFKC");
  let out = "";
  for (const c of nfkc) out += HOMOGLYPHS[c] ?? c;
  return out;
}

/** The text as a model would read it: invisible characters dropped, tags decoded, homoglyphs mapped. */
export function foldText(text: string): string {
  if (isAscii(text)) return text;
  return text.replace(NON_ASCII_RUN, foldRun);
}

const NON_ASCII_RUN = /[^\x00-\x7F]+/g;
const foldCache = new Map<string, string>();

function foldRun(run: string): string {
  let out = "";
  for (const ch of run) {
    let folded = foldCache.get(ch);
    if (folded === undefined) {
      folded = foldCodePoint(ch);
      if (foldCache.size < 4096) foldCache.set(ch, folded);
    }
    out += folded;
  }
  return out;
}

const ANY_ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/;
const ANY_CYRILLIC_GREEK = /[\u0370-\u03FF\u0400-\u052F\u1D00-\u1D7F\u1F00-\u1FFF]/;

export function hasZeroWidthInsideWord(text: string): boolean {
  if (!ANY_ZERO_WIDTH.test(text)) return false;
  return /[\p{L}\p{N}][\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]+[\p{L}\p{N}]/u.test(text);
}

/** True when one word mixes Latin letters with Cyrillic or Greek ones, the usual homoglyph trick. */
export function hasMixedScriptWord(text: string): boolean {
  if (!ANY_CYRILLIC_GREEK.test(text)) return false;
  const words = text.match(/[\p{L}\p{M}]{2,}/gu);
  if (!words) return false;
  for (const w of words) {
    if (isAscii(w)) continue;
    if (/[A-Za-z]/.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(w)) return true;
  }
  return false;
}
