// Text folding shared by the rules, the classifier features and the trust-boundary markers: removes
// invisible characters, decodes Unicode tag characters and maps common homoglyphs to Latin, so that
// obfuscated text is matched as what a model would read. Pure, no I/O; ASCII input takes a fast path.

const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const TAG_CHARS = /[\u{E0000}-\u{E007F}]/gu;
const NON_ASCII = /[^\x00-\x7F]/;

/** Cyrillic, Greek and other letters that render like Latin ones (after NFKC, which handles full-width and math letters). */
const HOMOGLYPHS: Record<string, string> = {
  а: "a",
  е: "e",
  о: "o",
  р: "p",
  с: "c",
  у: "y",
  х: "x",
  і: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ɡ: "g",
  һ: "h",
  ӏ: "l",
  ԛ: "q",
  ԝ: "w",
  ν: "v",
  ο: "o",
  α: "a",
  ρ: "p",
  ι: "i",
  κ: "k",
  ɑ: "a",
  ı: "i",
  ɩ: "i",
  ʏ: "y",
  ᴠ: "v",
  ᴡ: "w",
  ꮃ: "w",
  ꓲ: "l",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  У: "Y",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  Ԁ: "D",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
};

/**
 * The UTF-16 code units of a text, copied natively into a buffer reused from call to call (valid
 * until the next call). The scans of the rule layer read a typed array: `charCodeAt` on texts that
 * are sometimes one-byte and sometimes two-byte strings is several times slower per character.
 */
let units = new Uint16Array(1 << 15);
let unitsBuffer = Buffer.from(units.buffer);
/** The reused buffer grows up to this many code units (2 MB); a longer text gets an array of its own. */
const MAX_KEPT_UNITS = 1 << 20;
/** With `sentinel`, the array is one longer and ends with a 0. */
export function codeUnits(text: string, sentinel = false): Uint16Array {
  const n = text.length;
  if (n + 1 > units.length) {
    if (n + 1 > MAX_KEPT_UNITS) {
      const own = new Uint16Array(n + 1);
      Buffer.from(own.buffer).write(text, 0, "utf16le");
      return sentinel ? own : own.subarray(0, n);
    }
    units = new Uint16Array(Math.max(n + 1, units.length * 2));
    unitsBuffer = Buffer.from(units.buffer);
  }
  unitsBuffer.write(text, 0, "utf16le");
  if (!sentinel) return units.subarray(0, n);
  units[n] = 0;
  return units.subarray(0, n + 1);
}
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
export function foldCodePoint(ch: string, keepDiacritics = false): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return ch;
  if (cp >= 0xe0000 && cp <= 0xe007f) return cp >= 0xe0020 && cp < 0xe007f ? String.fromCharCode(cp - 0xe0000) : "";
  ZERO_WIDTH.lastIndex = 0;
  if (ZERO_WIDTH.test(ch)) return "";
  // Combining diacritics (U+0300–U+036F and the extended blocks) are dropped: "I\u0307gnore" and
  // "ínstrucciones" read as "Ignore" and "instrucciones" to the rules. Marks of other scripts
  // (Devanagari vowel signs, Japanese voicing marks) carry meaning and are kept.
  if (COMBINING_DIACRITIC.test(ch)) return "";
  const nfkc = ch.normalize("NFKC");
  let out = "";
  for (const c of nfkc) out += HOMOGLYPHS[c] ?? (keepDiacritics ? c : stripDiacritics(c));
  return out;
}

const COMBINING_DIACRITIC = /^[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]$/;
const DIACRITICS = /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/g;

/** A Latin, Greek or Cyrillic letter with diacritics as its base letter ("é" → "e", "İ" → "I"). */
function stripDiacritics(c: string): string {
  const cp = c.codePointAt(0)!;
  if (cp < 0xc0 || cp > 0x1fff) return c;
  const base = c.normalize("NFD").replace(DIACRITICS, "");
  return base ? (HOMOGLYPHS[base] ?? base) : c;
}

/** The text as a model would read it: invisible characters dropped, tags decoded, homoglyphs mapped. */
export function foldText(text: string): string {
  if (isAscii(text)) return text;
  return foldRuns(text, undefined);
}

const NON_ASCII_RUN = /[^\x00-\x7F]+/g;
const foldCache = new Map<string, string>();

/**
 * Whether a UTF-16 code unit folds to itself (1) or not (2), 0 while unknown. Surrogates are never
 * "itself" here (a pair is folded as one code point). Most non-ASCII characters of ordinary text
 * (dashes, bullets, curly quotes, CJK) fold to themselves: a run of them needs no new string.
 */
const FOLDS_TO_ITSELF = new Uint8Array(65536);

function foldsToItself(c: number): boolean {
  let known = FOLDS_TO_ITSELF[c]!;
  if (known === 0) {
    const ch = String.fromCharCode(c);
    known = (c < 0xd800 || c > 0xdfff) && foldCodePoint(ch) === ch ? 1 : 2;
    FOLDS_TO_ITSELF[c] = known;
  }
  return known === 1;
}

/** `text.replace(NON_ASCII_RUN, foldRun)`, noting what `seen` asks for, and the text itself when every run folds to itself. */
function foldRuns(text: string, seen: FoldedNonAscii | undefined): string {
  const re = NON_ASCII_RUN; // nothing below runs it again before this loop ends
  re.lastIndex = 0;
  const parts: string[] = [];
  let from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const run = m[0];
    let same = true;
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      if (seen) {
        if (c === 0xdb40)
          seen.tags = true; // the high surrogate of U+E0000–U+E03FF
        else if (c === 0xad || c === 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff)
          seen.zeroWidth = true;
        else if ((c >= 0x370 && c <= 0x52f) || (c >= 0x1d00 && c <= 0x1d7f) || (c >= 0x1f00 && c <= 0x1fff)) seen.cyrillicGreek = true;
      }
      if (same && !foldsToItself(c)) same = false;
    }
    if (same) continue;
    parts.push(text.slice(from, m.index), foldRun(run));
    from = m.index + run.length;
  }
  if (from === 0) return text;
  parts.push(text.slice(from));
  return parts.join("");
}

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

/**
 * `foldText` of a text known not to be ASCII, and which characters the rules' Unicode checks look for
 * it met on the way: a text without them skips `decodeTagCharacters`, `hasZeroWidthInsideWord` and
 * `hasMixedScriptWord`, each a pass of its own.
 */
export interface FoldedNonAscii {
  folded: string;
  /** A Unicode tag character (U+E0000–U+E007F). */
  tags: boolean;
  /** One of ANY_ZERO_WIDTH. */
  zeroWidth: boolean;
  /** One of ANY_CYRILLIC_GREEK. */
  cyrillicGreek: boolean;
}

export function foldNonAscii(text: string): FoldedNonAscii {
  const seen = { folded: "", tags: false, zeroWidth: false, cyrillicGreek: false };
  seen.folded = foldRuns(text, seen);
  return seen;
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

/**
 * Words that mix Latin with up to two Cyrillic or Greek letters the fold leaves alone, read as the
 * first attack word they spell when each such letter is taken for some Latin one ("iгnore": a
 * Cyrillic "г", which looks like no Latin letter, where the "g" belongs). Only a few attack words are
 * tried, so a genuinely mixed word (a product code, a transliteration) stays as it is. Returns "" when
 * no word was repaired.
 */
export function repairMixedScriptWords(text: string): string {
  let repaired = false;
  const out = text.replace(MIXED_WORD, (word) => {
    if (!/[A-Za-z]/.test(word) || !FOREIGN_LETTER.test(word)) return word;
    const lower = word.toLowerCase();
    const slots = [...lower].map((c) => (FOREIGN_LETTER.test(c) ? "." : c)).join("");
    if (slots.split(".").length - 1 > 2) return word;
    const pattern = new RegExp(`^${slots}$`);
    const match = ATTACK_WORDS.find((w) => w.length === lower.length && pattern.test(w));
    if (!match) return word;
    repaired = true;
    return match;
  });
  return repaired ? out : "";
}
const MIXED_WORD = /[\p{L}\p{M}]{4,}/gu;
const FOREIGN_LETTER = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const ATTACK_WORDS = [
  "ignore",
  "disregard",
  "forget",
  "previous",
  "prior",
  "above",
  "instructions",
  "instruction",
  "rules",
  "prompt",
  "system",
  "override",
  "bypass",
  "developer",
  "pretend",
];

// ---- Flattening for the rule layer -------------------------------------------------------------
// Attackers break the words a rule looks for: a line break between them ("Ignore all previous\n
// instructions"), a hyphenated line break ("instruc-\ntions"), inline HTML tags inside a word
// ("Ig<b>no</b>re"), HTML entities, runs of spaces. `flattenForRules` undoes these on folded text.
// Lines are joined only where the next line continues a sentence (starts in lower case and is not a
// "key:" line), so line-anchored rules still see real line starts.

const INLINE_TAGS = "a|abbr|b|bdi|bdo|cite|code|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|strong|sub|sup|tt|u|var|wbr";
const INLINE_TAG = new RegExp(`<\\/?(?:${INLINE_TAGS})\\b[^<>]{0,200}>`, "gi");
const BLOCK_TAG =
  /<\/?(?:p|div|br|hr|li|ul|ol|td|th|tr|table|h[1-6]|section|article|header|footer|blockquote|pre|label|button|option|select|form|nav|aside|main|body|html|head|title)\b[^<>]{0,200}>/gi;
const ANY_TAG_HINT = /<\/?[a-z]/i;
const ENTITY_HINT = /&(?:#\d{2,7}|#x[0-9a-f]{2,6}|[a-z]{2,8});/i;
const ENTITY = /&(?:#(\d{2,7})|#x([0-9a-f]{2,6})|([a-z]{2,8}));/gi;
const NAMED_ENTITIES: Record<string, string> = {
  nbsp: " ",
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  shy: "",
  zwsp: "",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
};

const SPACE_RUN = /[ \t]{2,}/g;

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isLower = (c: number) => c >= 97 && c <= 122;

/**
 * Joins lines that continue a sentence: "previous\ninstructions" → "previous instructions" (the next
 * line starts in lower case and is not a "key:" line) and "instruc-\ntions" → "instructions". A scan
 * over the newlines only, much faster than a regex trying every letter.
 */
function joinWrappedLines(text: string): string {
  // The pieces are joined once at the end: a string grown by `+=` is a rope, and every later scan of
  // a rope (the word index reads each character) is several times slower than of a flat string.
  const parts: string[] = [];
  let from = 0;
  let nl = text.indexOf("\n");
  while (nl !== -1) {
    let a = nl;
    if (a > 0 && text.charCodeAt(a - 1) === 13) a--;
    while (a > 0 && (text.charCodeAt(a - 1) === 32 || text.charCodeAt(a - 1) === 9)) a--;
    let b = nl + 1;
    while (b < text.length && (text.charCodeAt(b) === 32 || text.charCodeAt(b) === 9)) b++;
    const prev = a > 0 ? text.charCodeAt(a - 1) : 0;
    const next = b < text.length ? text.charCodeAt(b) : 0;
    if (isLower(next)) {
      if (prev === 45 && a > 1 && isLetter(text.charCodeAt(a - 2))) {
        parts.push(text.slice(from, a - 1));
        from = b;
      } else if ((isLetter(prev) || prev === 44 || prev === 59) && !KEY_LINE.test(text.slice(b, b + 34))) {
        parts.push(text.slice(from, a), " ");
        from = b;
      }
    }
    nl = text.indexOf("\n", nl + 1);
  }
  if (from === 0) return text;
  parts.push(text.slice(from));
  return parts.join("");
}
const KEY_LINE = /^[a-z][\w-]{0,30}\s*:/;

function decodeEntities(text: string, fold = true): string {
  return text.replace(ENTITY, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? m;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    if (!(cp > 0 && cp <= 0x10ffff)) return m;
    const ch = String.fromCodePoint(cp);
    return fold ? foldCodePoint(ch) : ch;
  });
}

/**
 * Whether a word spelt partly in entities mixes Latin with Cyrillic ("i&#1075;nore": a Cyrillic "г" in a
 * Latin word). Folding maps the homoglyph to a Latin letter as it decodes, so `hasMixedScriptWord` on the
 * raw text, which the homoglyph signal reads, never sees one spelt as an entity. Greek is left out here:
 * HTML spells units and formulas with Greek entities next to Latin letters (`&#956;g`, `k&#937;`, `2&#960;r`).
 */
export function hasMixedScriptEntityWord(text: string): boolean {
  if (!text.includes("&#") || !ENTITY_HINT.test(text)) return false;
  // A soft hyphen or a Greek letter that is dropped must not join the letters on either side.
  const decoded = decodeEntities(text.replace(SOFT_BREAK, " "), false);
  return ANY_CYRILLIC.test(decoded) && hasMixedScriptWord(decoded.replace(GREEK, " "));
}
const SOFT_BREAK = /&(?:shy|zwsp|#173|#xad|#8203|#x200b);/gi;
const ANY_CYRILLIC = /[\u0400-\u052F]/;
const GREEK = /[\u0370-\u03FF\u1F00-\u1FFF]/g;

/** Folded text with word-breaking tricks undone; see the block comment above. Returns the input when nothing applies. */
export function flattenForRules(folded: string): string {
  return flattenText(folded).flat;
}

/**
 * flattenForRules, and whether it decoded entities or removed tags. When it did neither it only
 * joined lines and collapsed spaces, which keeps every run of letters and digits of the input.
 */
export function flattenText(folded: string): { flat: string; markup: boolean } {
  const { joined, markup } = joinedForRules(folded);
  return { flat: collapseSpaceRuns(joined), markup };
}

/** Runs of two or more spaces and tabs as one space: the last step of `flattenText`. */
export function collapseSpaceRuns(text: string): string {
  return text.includes("  ") || text.includes("\t") ? text.replace(SPACE_RUN, " ") : text;
}

/** `flattenText` but for collapsing runs of spaces, which the rule layer does only when a pattern reads the text. */
export function joinedForRules(folded: string): { joined: string; markup: boolean } {
  let out = folded;
  let markup = false;
  if (out.includes("&") && ENTITY_HINT.test(out)) {
    out = decodeEntities(out);
    markup = true;
  }
  if (out.includes("<") && ANY_TAG_HINT.test(out)) {
    out = out.replace(INLINE_TAG, "").replace(BLOCK_TAG, " ");
    markup = true;
  }
  return { joined: joinWrappedLines(out), markup };
}

// ---- Escaped text ------------------------------------------------------------------------------
// Tool results are often JSON: a passage inside a string field has its line breaks as "\\n", its quotes
// as '\\"' and may spell letters as "\\u0049". Read as is, "…attached.\\n\\nIgnore all previous …" has
// no word boundary before "Ignore". The escapes are decoded before anything else reads the text.

const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([nrt"'\\/]))/g;
const ESCAPE_HINT = /\\[nrtu"x]/;
const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", r: "\n", t: "\t", '"': '"', "'": "'", "\\": "\\", "/": "/" };

/** The text with JSON/JavaScript string escapes decoded; the input itself when it has none. */
export function unescapeStringLiterals(text: string): string {
  if (!text.includes("\\") || !ESCAPE_HINT.test(text)) return text;
  return text.replace(ESCAPE, (m, u: string | undefined, x: string | undefined, c: string | undefined) => {
    if (c !== undefined) return SIMPLE_ESCAPES[c] ?? m;
    const cp = parseInt((u ?? x)!, 16);
    // Lone surrogates and control characters stay escaped: they are no letters an attacker could hide.
    if ((cp >= 0xd800 && cp <= 0xdfff) || (cp < 0x20 && cp !== 10 && cp !== 9)) return m;
    return String.fromCharCode(cp);
  });
}

/** What the rules and the classifier read: string escapes decoded, then folded. */
export function readableText(text: string): string {
  return foldText(unescapeStringLiterals(text));
}
