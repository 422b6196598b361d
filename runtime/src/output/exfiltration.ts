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

// Link text is bounded and holds no "[", so a line of unmatched "[" costs linear time, not quadratic
// (the URL of a link whose text has nested brackets is still found as a bare URL).
const MARKDOWN = /(!?)\[[^[\]\n]{0,1000}\]\(\s*<?([^\s)>]+)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
const ATTRIBUTE = /\b(?:src|href|action|srcset|poster)\s*=\s*["']?([^\s"'>]+)/gi;
// "https:/host", "https:\\host" and "https:host" resolve to https://host under WHATWG parsing, so they
// count as URLs too when a host name follows.
const BARE = /\b(?:(?:https?|ftp|wss?):(?:\/\/|[\\/]{1,2}|(?=[A-Za-z0-9-]+\.[A-Za-z]))|www\.)[^\s<>"'`]+/gi;
// Reference-style markdown: `![x][ref]` or `[x][ref]` elsewhere, and the definition `[ref]: url` on its own line.
const REFERENCE_DEFINITION = /^[ \t]{0,3}\[([^\]\n]{1,200})\]:[ \t]*<?([^\s>]+)>?/gm;
const REFERENCE_USE = /(!?)\[([^[\]\n]{0,1000})\](?:\[([^[\]\n]{0,200})\])?/g;
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));?/g;
const NAMED_ENTITIES: Record<string, string> = {
  colon: ":",
  sol: "/",
  bsol: "\\",
  period: ".",
  amp: "&",
  quest: "?",
  equals: "=",
  num: "#",
  percnt: "%",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  tab: "",
  newline: "",
};

/** HTML character references decoded, as a renderer does for attribute values and markdown link destinations. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(ENTITY, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? m;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

const normaliseLabel = (label: string) => label.trim().replace(/\s+/g, " ").toLowerCase();
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
  if (text.includes("]:")) {
    // Which labels images use, so a definition is reported as the image that will fetch it.
    const imageLabels = new Set<string>();
    for (const m of allMatches(REFERENCE_USE, text)) if (m[1]) imageLabels.add(normaliseLabel(m[3] || m[2]!));
    for (const m of allMatches(REFERENCE_DEFINITION, text)) {
      const start = m.index + m[0].length - m[2]!.length - (m[0].endsWith(">") ? 1 : 0);
      if (taken.overlaps(start, start + 1)) continue;
      add({ form: imageLabels.has(normaliseLabel(m[1]!)) ? "image" : "link", start: m.index, end: m.index + m[0].length, url: m[2]! });
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
  const decoded = decodeHtmlEntities(raw).trim();
  const candidate = /^www\./i.test(decoded) ? "http://" + decoded : decoded;
  let url: URL;
  try {
    // A URL with a scheme is parsed on its own: against an https base, "https:/evil.example" and
    // "https:evil.example" would read as paths of the base, while a renderer without that base (or
    // the WHATWG parser alone) goes to https://evil.example.
    url = HAS_SCHEME.test(candidate) ? new URL(candidate) : new URL(candidate, RELATIVE_BASE);
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
  raw = decodeHtmlEntities(raw).trim();
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
