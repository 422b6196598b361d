// One scan for every kind of sensitive data, shared by the output filter and audit argument redaction.
// Detectors run from most to least certain and a span already claimed is not reported again; the two
// shape-only detectors (phones, high-entropy tokens) skip URLs, whose paths are full of IDs.
import { allMatches } from "./regex-scan.js";
import { SpanMask } from "./span-mask.js";
import {
  findAadhaars,
  findCardsPerLine,
  findEmails,
  findIbans,
  findIndianPans,
  findPaymentCards,
  findPhones,
  findUsSsns,
} from "./pii-detectors.js";
import type { PiiKind, Span } from "./pii-detectors.js";
import {
  findAssignedSecrets,
  findAwsSecretKeys,
  findEncodedSecrets,
  findHighEntropyTokens,
  findPrefixedSecrets,
  findSplitSecrets,
} from "./secret-detectors.js";

export type SensitiveKind = PiiKind | "secret";

export interface SensitiveScan {
  pii?: boolean;
  secrets?: boolean;
}

const URL_LIKE = /(?:https?|ftp|wss?):\/\/[^\s<>"'`]+|www\.[^\s<>"'`]+/gi;
const HAS_DIGIT_OR_AT = /[\d@]/;

/** Cheap reject: every detector needs a digit, an "@", a key block or 32+ characters. */
export function mayHoldSensitive(text: string): boolean {
  return text.length >= 32 || (text.length >= 6 && (HAS_DIGIT_OR_AT.test(text) || text.includes("-----")));
}

export function findSensitive(text: string, scan: SensitiveScan = { pii: true, secrets: true }): Span<SensitiveKind>[] {
  if (!mayHoldSensitive(text)) return [];
  const accepted: Span<SensitiveKind>[] = [];
  const taken = new SpanMask(text.length);
  const claim = (found: Span<SensitiveKind>[], skip?: SpanMask): void => {
    for (const s of found) {
      if (skip?.overlaps(s.start, s.end) || taken.overlaps(s.start, s.end)) continue;
      accepted.push(s);
      taken.mark(s.start, s.end);
    }
  };
  let urls: SpanMask | undefined;
  if (text.includes("://") || text.includes("www.")) {
    urls = new SpanMask(text.length);
    for (const m of allMatches(URL_LIKE, text)) urls.mark(m.index, m.index + m[0].length);
  }
  // Each number-shaped detector needs a minimum count of digits; counting them once skips most scans.
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (scan.secrets) claim(findPrefixedSecrets(text));
  if (scan.pii) {
    if (digits >= 2) claim(findIbans(text));
    if (digits >= 13) claim(findPaymentCards(text));
    if (digits >= 13) claim(findCardsPerLine(text));
    if (digits >= 9) claim(findUsSsns(text));
    if (digits >= 12) claim(findAadhaars(text));
    if (digits >= 4) claim(findIndianPans(text));
    claim(findEmails(text));
  }
  if (scan.secrets) claim(findAssignedSecrets(text));
  if (scan.secrets) claim(findAwsSecretKeys(text), urls);
  if (scan.pii && digits >= 8) claim(findPhones(text), urls);
  if (scan.secrets) claim(findHighEntropyTokens(text), urls);
  if (scan.secrets) {
    claim(findSplitSecrets(text));
    claim(findEncodedSecrets(text), urls);
  }
  return accepted.sort((a, b) => a.start - b.start);
}
