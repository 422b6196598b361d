// Finds instructions hidden in base64 and hex runs: decodes each long run and keeps the ones that
// read as printable English. Bounded work per text (at most MAX_RUNS decodes) so hostile input
// cannot make the rule layer slow.

const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /(?:\\x[0-9a-fA-F]{2}){8,}|\b(?:[0-9a-fA-F]{2}[ :]?){12,}/g;
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
  return printable / s.length > 0.95 && letters / s.length > 0.5 && s.includes(" ");
}

function decodeBase64(run: string): string | undefined {
  const std = run.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const padded = std + "=".repeat((4 - (std.length % 4)) % 4);
  try {
    return atob(padded);
  } catch {
    return undefined;
  }
}

/** Printable texts decoded from base64 runs of at least 16 characters. */
export function decodedBase64Texts(text: string): string[] {
  const out: string[] = [];
  let n = 0;
  for (const m of text.matchAll(BASE64_RUN)) {
    if (++n > MAX_RUNS) break;
    const run = m[0];
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
    const digits = m[0].replace(/\\x|[ :]/g, "");
    let decoded = "";
    for (let i = 0; i + 1 < digits.length; i += 2) decoded += String.fromCharCode(parseInt(digits.slice(i, i + 2), 16));
    if (printableEnglish(decoded)) out.push(decoded);
  }
  return out;
}
