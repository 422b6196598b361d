// Detectors for credentials in free text: private key blocks, API keys with known prefixes, credentials
// in connection strings and `password=`-style assignments, and long high-entropy tokens. The entropy rule
// skips pure hex (commit ids, digests), UUIDs and identifier-like words to keep false positives rare.
import { allMatches } from "./regex-scan.js";
import type { Span } from "./pii-detectors.js";

export type SecretKind = "secret";

const PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g;

// Each prefix is specific enough that a match is a credential; lengths are the providers' minimums.
const PREFIXED = new RegExp(
  "(?<![A-Za-z0-9_-])(?:" +
    [
      "sk-[A-Za-z0-9_-]{20,}", // OpenAI, Anthropic (sk-ant-…)
      "(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}", // Stripe secret and restricted keys
      "gh[pousr]_[A-Za-z0-9]{36,255}", // GitHub tokens
      "github_pat_[A-Za-z0-9_]{22,255}",
      "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", // AWS access key ids
      "xox[abposr]-[A-Za-z0-9-]{10,}", // Slack
      "xapp-\\d-[A-Za-z0-9-]{10,}",
      "AIza[0-9A-Za-z_-]{35}", // Google API keys
      "glpat-[A-Za-z0-9_-]{20,}", // GitLab
      "npm_[A-Za-z0-9]{36}",
      "hf_[A-Za-z0-9]{30,}", // Hugging Face
      "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}", // signed JWTs
    ].join("|") +
    ")(?![A-Za-z0-9_-])",
  "g",
);

const ASSIGNMENT =
  /(?<![A-Za-z0-9])(?:api[_-]?key|access[_-]?token|auth[_-]?token|(?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret(?:[_-]?key)?|secret(?:[_-]?key)?|client[_-]?secret|password|passwd|pwd)["']?\s*[:=]\s*["']?([^\s"',;]{8,})/gi;

// An AWS secret access key: 40 characters of base64 with a slash or plus or mixed case and digits,
// within a few lines after an access key id or the word "aws"/"secret".
const AWS_SECRET = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;
const AWS_CONTEXT = /(?:AKIA|ASIA)[A-Z0-9]{16}|\baws\b|secret/i;
const PLACEHOLDER = /^(?:\*+|x+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{.*\}\}|%[^%]+%|changeme|redacted|\[redacted[^\]]*\]|null|undefined|none)$/i;

const URL_CREDENTIAL = /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{1,128}:([^\s@/]{1,256})@/gi;

const WORD_RUN = /[a-z]{3,}/g;
const TOKEN = /(?<![A-Za-z0-9+/=_.-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/=_-])/g;

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A token that is probably random key material: at least 32 characters with lower case, upper case and
 * at least two digits, not hex, at most 40% of it in lower-case runs of 3+ letters (identifiers are
 * words), and at least 4.3 bits of entropy per character (random base64 of this length scores about 4.7).
 */
export function isHighEntropyToken(s: string): boolean {
  if (s.length < 32 || /^[0-9a-fA-F]+$/.test(s)) return false;
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s)) return false;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 2) return false;
  // Identifiers are made of words: random key material rarely has runs of three lower-case letters.
  let wordy = 0;
  for (const m of allMatches(WORD_RUN, s)) wordy += m[0].length;
  return wordy / s.length <= 0.4 && shannonEntropy(s) >= 4.3;
}

function overlapsAny(spans: readonly Span[], start: number, end: number): boolean {
  for (const s of spans) if (start < s.end && s.start < end) return true;
  return false;
}

/** Secrets that are certain from their shape: key blocks, known prefixes, connection-string passwords. */
export function findPrefixedSecrets(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  const blocks: Span<SecretKind>[] = [];
  if (text.includes("-----BEGIN ")) {
    for (const m of allMatches(PRIVATE_KEY, text)) blocks.push({ kind: "secret", start: m.index, end: m.index + m[0].length });
  }
  for (const b of blocks) out.push(b);
  for (const m of allMatches(PREFIXED, text)) {
    // A key block's base64 body can contain prefix-like runs; the block already covers them.
    if (!overlapsAny(blocks, m.index, m.index + m[0].length)) {
      out.push({ kind: "secret", start: m.index, end: m.index + m[0].length });
    }
  }
  if (text.includes("://")) {
    for (const m of allMatches(URL_CREDENTIAL, text)) {
      const end = m.index + m[0].length - 1;
      out.push({ kind: "secret", start: end - m[1]!.length, end });
    }
  }
  return out;
}

/** `password = …`, `api_key: "…"` and the like: only the value is reported. */
export function findAssignedSecrets(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  for (const m of allMatches(ASSIGNMENT, text)) {
    const value = m[1]!;
    if (PLACEHOLDER.test(value)) continue;
    const end = m.index + m[0].length;
    out.push({ kind: "secret", start: end - value.length, end });
  }
  return out;
}

export function findHighEntropyTokens(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  if (text.length < 32) return out;
  for (const m of allMatches(TOKEN, text)) {
    if (isHighEntropyToken(m[0])) out.push({ kind: "secret", start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** AWS secret access keys, which have no prefix: a 40-character base64 run near an access key id or "aws"/"secret". */
export function findAwsSecretKeys(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  if (text.length < 40 || !AWS_CONTEXT.test(text)) return out;
  for (const m of allMatches(AWS_SECRET, text)) {
    const key = m[0];
    if (/^[0-9a-fA-F]+$/.test(key) || !/[A-Z]/.test(key) || !/[a-z]/.test(key) || !/[0-9+/]/.test(key)) continue;
    if (shannonEntropy(key) < 4) continue;
    const before = text.slice(Math.max(0, m.index - 200), m.index);
    if (AWS_CONTEXT.test(before)) out.push({ kind: "secret", start: m.index, end: m.index + key.length });
  }
  return out;
}

const SPLIT_CHAIN = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{4,}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_=-]{4,})+/g;

/**
 * Secrets split across line breaks ("sk-proj-abc…\n…xyz"): each run of token characters continued on
 * the next line(s) is joined, the prefixed, AWS and entropy detectors run on the joined run, and a
 * finding is mapped back to the span it covers in the original. Only findings that cross a break count.
 */
export function findSplitSecrets(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  if (!text.includes("\n")) return out;
  for (const m of allMatches(SPLIT_CHAIN, text)) {
    const chain = m[0];
    if (chain.length < 24) continue;
    let joined = "";
    const origin: number[] = [];
    for (let i = 0; i < chain.length; i++) {
      const c = chain[i]!;
      if (c === " " || c === "\t" || c === "\r" || c === "\n") continue;
      joined += c;
      origin.push(m.index + i);
    }
    const found = [
      ...findPrefixedSecrets(joined),
      ...findAwsSecretKeys(" aws " + joined).map((s) => ({ ...s, start: s.start - 5, end: s.end - 5 })),
      ...findHighEntropyTokens(joined),
    ];
    for (const s of found) {
      if (s.start < 0) continue;
      const start = origin[s.start]!;
      const end = origin[s.end - 1]! + 1;
      if (text.slice(start, end).includes("\n")) out.push({ kind: "secret", start, end });
    }
  }
  return out;
}

const BASE64_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;

/** Base64 runs whose decoded text holds a credential (a prefixed key, a `password=` assignment, a key block). */
export function findEncodedSecrets(text: string, out: Span<SecretKind>[] = []): Span<SecretKind>[] {
  if (text.length < 16) return out;
  for (const m of allMatches(BASE64_RUN, text)) {
    const run = m[0];
    if (run.length % 4 === 1 || /^[0-9a-fA-F]+$/.test(run)) continue;
    const decoded = Buffer.from(run, "base64").toString("latin1");
    // Decoded text must be mostly printable to be a message rather than binary.
    let printable = 0;
    for (let i = 0; i < decoded.length; i++) {
      const c = decoded.charCodeAt(i);
      if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9) printable++;
    }
    if (decoded.length < 8 || printable / decoded.length < 0.9) continue;
    if (findPrefixedSecrets(decoded).length || findAssignedSecrets(decoded).length || findAwsSecretKeys(decoded).length) {
      out.push({ kind: "secret", start: m.index, end: m.index + run.length });
    }
  }
  return out;
}
