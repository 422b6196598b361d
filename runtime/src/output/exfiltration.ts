// Exfiltration channels in model output: markdown images (fetched by the renderer with no click),
// markdown links, HTML src/href attributes and bare URLs. A URL is flagged when its host is outside the
// allowlist (whole-label match), when URL parsers could disagree about its host (a backslash, userinfo,
// escapes: see strictUrlHost), or when its query carries sensitive data or a long opaque blob.
import { allMatches } from "./regex-scan.js";
import { SpanMask } from "./span-mask.js";
import { domainInList, strictUrlHost } from "./domains.js";
import { findSensitive } from "./sensitive-data.js";
import { isHighEntropyToken } from "./secret-detectors.js";

export type UrlForm = "image" | "link" | "attribute" | "bare";

export interface UrlOccurrence {
  form: UrlForm;
  /** The span flagged or redacted: the whole markdown construct, or the URL itself. */
  start: number;
  end: number;
  url: string;
}

export interface ExfiltrationFinding extends UrlOccurrence {
  host: string;
  reason: "host_not_allowed" | "ambiguous_host" | "data_in_query";
}

// Link text is bounded so a line of unmatched "[" costs linear time, not quadratic.
const MARKDOWN = /(!?)\[[^\]\n]{0,1000}\]\(\s*<?([^\s)>]+)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
const ATTRIBUTE = /\b(?:src|href|action|srcset|poster)\s*=\s*["']?([^\s"'>]+)/gi;
const BARE = /\b(?:(?:https?|ftp|wss?):\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]+$/;
const RELATIVE_BASE = "https://relative.invalid/";
const NETWORK_PROTOCOLS = new Set(["http:", "https:", "ftp:", "ws:", "wss:"]);

function trimBareUrl(raw: string): string {
  let url = raw.replace(TRAILING_PUNCTUATION, "");
  // A closing parenthesis belongs to the URL only when it balances one inside it (Wikipedia-style links).
  while (url.endsWith(")") && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
  }
  return url;
}

export function findUrls(text: string): UrlOccurrence[] {
  const found: UrlOccurrence[] = [];
  const taken = new SpanMask(text.length);
  const add = (occ: UrlOccurrence): void => {
    found.push(occ);
    taken.mark(occ.start, occ.end);
  };
  if (text.includes("](")) {
    for (const m of allMatches(MARKDOWN, text)) {
      add({ form: m[1] ? "image" : "link", start: m.index, end: m.index + m[0].length, url: m[2]! });
    }
  }
  if (text.includes("=")) {
    for (const m of allMatches(ATTRIBUTE, text)) {
      const start = m.index + m[0].length - m[1]!.length;
      if (!taken.overlaps(start, start + 1)) add({ form: "attribute", start, end: m.index + m[0].length, url: m[1]! });
    }
  }
  for (const m of allMatches(BARE, text)) {
    if (taken.overlaps(m.index, m.index + 1)) continue;
    const url = trimBareUrl(m[0]);
    add({ form: "bare", start: m.index, end: m.index + url.length, url });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The URL as a browser would resolve it, or undefined when it is relative or not a network URL. */
export function parseNetworkUrl(raw: string): URL | undefined {
  const candidate = /^www\./i.test(raw) ? "http://" + raw : raw;
  let url: URL;
  try {
    url = new URL(candidate, RELATIVE_BASE);
  } catch {
    return undefined;
  }
  if (!NETWORK_PROTOCOLS.has(url.protocol) || url.hostname === "relative.invalid") return undefined;
  return url;
}

/** True when some query or fragment value carries personal data, a credential or a long opaque blob. */
export function smugglesData(url: URL): boolean {
  const carriers: string[] = [];
  for (const [key, value] of url.searchParams) carriers.push(key, value);
  if (url.hash.length > 1) carriers.push(safeDecode(url.hash.slice(1)));
  for (const v of carriers) {
    if (v.length < 6) continue;
    if (findSensitive(v).length > 0) return true;
    if (v.length >= 32 && (isHighEntropyToken(v) || /^[A-Za-z0-9+/_-]{64,}={0,2}$/.test(v))) return true;
  }
  return false;
}

/** `occ.url` as an absolute http URL for strictUrlHost: `www.` and `//` forms get a scheme, ftp/ws/wss read as http. */
function strictCandidate(raw: string): string {
  if (/^www\./i.test(raw)) return "http://" + raw;
  if (raw.startsWith("//")) return "https:" + raw;
  return raw.replace(/^(?:ftp|wss?):/i, "http:");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function findExfiltration(text: string, allowDomains: readonly string[]): ExfiltrationFinding[] {
  const findings: ExfiltrationFinding[] = [];
  for (const occ of findUrls(text)) {
    const url = parseNetworkUrl(occ.url);
    if (!url) continue;
    const host = url.hostname;
    if (!domainInList(host, allowDomains)) findings.push({ ...occ, host, reason: "host_not_allowed" });
    else if (strictUrlHost(strictCandidate(occ.url)) === undefined) findings.push({ ...occ, host, reason: "ambiguous_host" });
    else if (url.search.length > 1 || url.hash.length > 1) {
      if (smugglesData(url)) findings.push({ ...occ, host, reason: "data_in_query" });
    }
  }
  return findings;
}
