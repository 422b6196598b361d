// Detectors for personal data in free text: emails, phone numbers, payment cards (Luhn + issuer prefix),
// IBANs (country length + mod-97), Indian PAN and Aadhaar (Verhoeff). Each returns spans [start, end) in
// UTF-16 offsets; numbers glued to other digits, letters or decimal points are never matched.
import { allMatches } from "./regex-scan.js";
import { SpanMask } from "./span-mask.js";
import { ibanMod97Valid, luhnValid, verhoeffValid } from "./checksums.js";

export type PiiKind = "email" | "phone" | "payment_card" | "iban" | "in_pan" | "in_aadhaar" | "us_ssn";

export interface Span<K extends string = string> {
  kind: K;
  start: number;
  end: number;
}

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

// International numbers need the "+"; national ones need a recognisable shape (NANP 3-3-4 with separators,
// or an Indian mobile 10 digits from 6-9), so bare runs of digits such as IDs and amounts stay unmatched.
// Groups after the country code each start with a separator, so a run of digits parses only one way
// (no catastrophic backtracking on long digit strings).
const PHONE_INTL = /(?<![\w+])\+(?:[1-9]\d{6,14}|[1-9]\d{0,2}(?:[ .-]\(?\d{1,5}\)?){1,7})(?!\w|[.,-]\d)/g;
const PHONE_NANP = /(?<![\w.+-])(?:1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?!\w|[.,-]\d)/g;
const PHONE_IN = /(?<![\w.+-])0?[6-9]\d{4}[ -]?\d{5}(?!\w|[.,-]\d)/g;

const CARD = /(?<![\w.-])(?:\d{4}([ -])\d{4}\1\d{4}(?:\1\d{1,4}){1,2}|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})(?!\w|[.,-]\d)/g;

// Cards written one digit or one group of digits per line (a model asked to "split the number up").
const CARD_PER_LINE =
  /(?<![\w.])(?:\d(?:[ \t]*\r?\n[ \t]*\d){12,18}|\d{4}(?:[ \t]*\r?\n[ \t]*\d{4}){2}(?:[ \t]*\r?\n[ \t]*\d{1,4}){1,2}|\d{4}[ \t]*\r?\n[ \t]*\d{6}[ \t]*\r?\n[ \t]*\d{4,5})(?![\w.]|[ \t]*\r?\n[ \t]*\d)/g;

// US Social Security numbers: area 001–899 except 666, group 01–99, serial 0001–9999, written
// 123-45-6789 or 123 45 6789; nine bare digits only after "SSN" or "social security".
const SSN = /(?<![\w.-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-]|\.\d)/g;
const SSN_LABELLED =
  /\b(?:ssn|social security(?: number| no\.?)?)\b[^\d\n]{0,20}((?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4})(?![\w-])/gi;

const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g;

const PAN = /(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z](?![A-Za-z0-9])/g;

const AADHAAR = /(?<![\w.-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?!\w|[.,-]\d)/g;

// Lengths from the IBAN registry (ISO 13616); a country missing here is not matched.
const IBAN_LENGTH: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

function digitsOnly(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, RuPay). */
function plausibleCardPrefix(d: string): boolean {
  switch (d[0]) {
    case "4":
    case "5":
    case "6":
      return true;
    case "3":
      return d[1] !== "1" && d[1] !== "2" && d[1] !== "3";
    case "2": {
      const p = Number(d.slice(0, 4));
      return p >= 2221 && p <= 2720;
    }
    case "8":
      return d[1] === "1" || d[1] === "2";
    default:
      return false;
  }
}

export function findEmails(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  if (!text.includes("@")) return out;
  for (const m of allMatches(EMAIL, text)) out.push({ kind: "email", start: m.index, end: m.index + m[0].length });
  return out;
}

export function findPhones(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  const found: Span<PiiKind>[] = [];
  const taken = new SpanMask(text.length);
  for (const m of allMatches(PHONE_INTL, text)) {
    const n = digitsOnly(m[0]).length;
    if (n >= 8 && n <= 15) {
      found.push({ kind: "phone", start: m.index, end: m.index + m[0].length });
      taken.mark(m.index, m.index + m[0].length);
    }
  }
  // National shapes can match inside an international number: keep the wider match.
  for (const re of [PHONE_NANP, PHONE_IN]) {
    for (const m of allMatches(re, text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (!taken.overlaps(start, end)) {
        found.push({ kind: "phone", start, end });
        taken.mark(start, end);
      }
    }
  }
  found.sort((a, b) => a.start - b.start);
  for (const f of found) out.push(f);
  return out;
}

export function findPaymentCards(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  for (const m of allMatches(CARD, text)) {
    const d = digitsOnly(m[0]);
    if (d.length >= 13 && d.length <= 19 && plausibleCardPrefix(d) && luhnValid(d)) {
      out.push({ kind: "payment_card", start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

export function findCardsPerLine(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  if (!text.includes("\n")) return out;
  for (const m of allMatches(CARD_PER_LINE, text)) {
    const d = digitsOnly(m[0]);
    if (d.length >= 13 && d.length <= 19 && plausibleCardPrefix(d) && luhnValid(d)) {
      out.push({ kind: "payment_card", start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

export function findUsSsns(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  for (const m of allMatches(SSN, text)) out.push({ kind: "us_ssn", start: m.index, end: m.index + m[0].length });
  if (/ssn|social security/i.test(text)) {
    for (const m of allMatches(SSN_LABELLED, text)) {
      const end = m.index + m[0].length;
      out.push({ kind: "us_ssn", start: end - m[1]!.length, end });
    }
  }
  return out;
}

export function findIbans(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  for (const m of allMatches(IBAN, text)) {
    const want = IBAN_LENGTH[m[0].slice(0, 2)];
    if (want === undefined) continue;
    // The pattern may run into a following code; cut at the country's length, on a character boundary.
    let compact = "";
    let end = m.index;
    for (let i = 0; i < m[0].length && compact.length < want; i++) {
      if (m[0][i] !== " ") compact += m[0][i];
      end = m.index + i + 1;
    }
    if (compact.length !== want) continue;
    const next = text[end];
    if (next !== undefined && next !== " " && /[A-Za-z0-9]/.test(next)) continue;
    if (ibanMod97Valid(compact)) out.push({ kind: "iban", start: m.index, end });
  }
  return out;
}

export function findIndianPans(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  for (const m of allMatches(PAN, text)) out.push({ kind: "in_pan", start: m.index, end: m.index + m[0].length });
  return out;
}

export function findAadhaars(text: string, out: Span<PiiKind>[] = []): Span<PiiKind>[] {
  for (const m of allMatches(AADHAAR, text)) {
    if (verhoeffValid(digitsOnly(m[0]))) out.push({ kind: "in_aadhaar", start: m.index, end: m.index + m[0].length });
  }
  return out;
}
