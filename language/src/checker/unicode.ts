// What a reviewer reads must be what runs: BIDI controls, invisible characters and names that mix
// scripts or use look-alike letters are flagged in every name and string (CH0004), as Cedar does.

import type { IToken } from "chevrotain";
import { StringLiteral, Word } from "../lexer.js";
import type { CheckContext } from "./context.js";

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: U+034F (combining grapheme joiner) is listed on purpose, as an invisible character to flag on its own
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E\u034F\u115F\u1160\u3164\uFFA0]|[\u{E0000}-\u{E007F}]/u;
const LATIN = /\p{Script=Latin}/u;
const CONFUSABLE_SCRIPTS = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;

export function checkUnicode(ctx: CheckContext, tokens: readonly IToken[]): void {
  for (const t of tokens) {
    if (t.tokenType !== StringLiteral && t.tokenType !== Word) continue;
    // fast path: plain ASCII cannot hide anything
    if (/^[\x20-\x7e]*$/.test(t.image)) continue;
    const span = { start: t.startOffset, end: t.startOffset + t.image.length };
    const what = t.tokenType === StringLiteral ? "string" : "name";
    if (BIDI.test(t.image)) {
      ctx.report({
        code: "CH0004",
        span,
        message: `${what} contains a bidirectional control character: it can display differently from what runs`,
        help: "remove the BIDI control characters (U+202A–U+202E, U+2066–U+2069, U+200E/F)",
      });
    } else if (INVISIBLE.test(t.image)) {
      ctx.report({
        code: "CH0004",
        span,
        message: `${what} contains an invisible character`,
        help: "remove zero-width and other invisible characters: two values that look the same must be the same",
      });
    } else if (CONFUSABLE_SCRIPTS.test(t.image) && (LATIN.test(t.image) || t.tokenType === StringLiteral)) {
      const ch = [...t.image].find((c) => CONFUSABLE_SCRIPTS.test(c))!;
      ctx.report({
        code: "CH0004",
        span,
        message: `${what} mixes scripts: '${ch}' (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) looks like a Latin letter`,
        help: "a look-alike letter makes a domain or name that reads as trusted but is not: use plain Latin letters",
      });
    }
  }
}
