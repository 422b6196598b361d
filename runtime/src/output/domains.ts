// Domain allowlist matching by whole DNS labels: `sub.acme.io` is inside `acme.io`, `acme.io.evil.com` and
// `evilacme.io` are not. Names are compared in lowercase ASCII (IDNs as punycode, one trailing dot ignored);
// anything that is not a valid host name matches nothing. Charter has no wildcards: `*.x` matches nothing.
import { domainToASCII } from "node:url";

const ASCII_HOST = /^[a-z0-9.-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Lowercase ASCII form of a host name, or undefined when it is not one. */
export function normalizeHost(name: string): string | undefined {
  let h = name.toLowerCase();
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h.startsWith("[") && h.endsWith("]")) return h; // IPv6 literal: compared exactly
  if (!ASCII_HOST.test(h)) {
    if (/[\s/\\@:?#*%]/.test(h)) return undefined;
    h = domainToASCII(h);
    if (h === "") return undefined;
  }
  if (h.length === 0 || h.length > 253) return undefined;
  const labels = h.split(".");
  for (const label of labels) if (!LABEL.test(label)) return undefined;
  return h;
}

/**
 * True when `host` is `allowed` or a subdomain of it. An IP address, or an allowed name of a single label
 * (`localhost`, `com`), matches only exactly, so an entry can never open a whole top-level domain.
 */
export function domainMatches(host: string, allowed: string): boolean {
  const h = normalizeHost(host);
  const a = normalizeHost(allowed);
  return h !== undefined && a !== undefined && normalizedMatch(h, a);
}

/** `domainMatches` on names already normalised. */
function normalizedMatch(h: string, a: string): boolean {
  if (h === a) return true;
  if (IPV4.test(h) || IPV4.test(a) || a.startsWith("[") || !a.includes(".")) return false;
  return h.length > a.length && h.endsWith(a) && h.charCodeAt(h.length - a.length - 1) === 46; // "."
}

// Allow-lists come from the bundle and live as long as the guard: normalise each entry once, not on
// every call (this is on the decide path of every tool with a domain constraint or monitor rule). The
// entries are compared with the ones normalised, so a list changed in place is never served stale.
interface NormalisedList {
  source: string[];
  hosts: string[];
  exact: Set<string>;
  /** answers for hosts seen before, bounded so that varied hosts cannot grow it without end */
  seen: Map<string, boolean>;
}
const MAX_SEEN = 1024;
const normalisedLists = new WeakMap<readonly string[], NormalisedList>();

function normalisedList(allowed: readonly string[]): NormalisedList {
  const cached = normalisedLists.get(allowed);
  if (cached !== undefined && cached.source.length === allowed.length && cached.source.every((s, i) => s === allowed[i])) return cached;
  const hosts: string[] = [];
  for (const a of allowed) {
    const n = normalizeHost(a);
    if (n !== undefined) hosts.push(n);
  }
  const list = { source: [...allowed], hosts, exact: new Set(hosts), seen: new Map<string, boolean>() };
  normalisedLists.set(allowed, list);
  return list;
}

export function domainInList(host: string, allowed: readonly string[]): boolean {
  const list = normalisedList(allowed);
  // an entry is already in normal form, so a host spelled exactly like one needs no normalising
  if (list.exact.has(host)) return true;
  const known = list.seen.get(host);
  if (known !== undefined) return known;
  const h = normalizeHost(host);
  let inside = false;
  if (h !== undefined) for (const a of list.hosts) if (normalizedMatch(h, a)) inside = true;
  if (list.seen.size < MAX_SEEN) list.seen.set(host, inside);
  return inside;
}

// RFC 5322 dot-atom local part; quoted local parts and display names ("Bob <b@x>") are refused.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * True when `email` is one bare address whose domain matches an allowed domain. A value holding two
 * addresses (`eve@evil.com,bob@company.com`) or any character outside an address is refused, because a
 * mail library might send to every address it can find in it.
 */
export function emailDomainMatches(email: string, allowed: readonly string[] | string): boolean {
  const at = email.indexOf("@");
  if (at <= 0 || at !== email.lastIndexOf("@") || email.length - at - 1 > 253 || at > 64) return false;
  if (!LOCAL_PART.test(email.slice(0, at))) return false;
  const domain = email.slice(at + 1);
  if (domain.endsWith(".")) return false; // legal in DNS, but not in an address a user typed
  if (typeof allowed === "string") return domainMatches(domain, allowed);
  return domainInList(domain, allowed);
}

// Characters no URL we accept may hold anywhere: a backslash (the WHATWG parser reads it as "/" in http(s)
// URLs, other parsers as data), whitespace and control characters (stripped or kept depending on the
// parser) and invisible format characters (U+00AD, U+200B…, dropped by IDN mapping).
const UNSAFE_URL_CHAR = /[\\\s\p{Cc}\p{Cf}]/u;
const HTTP_PREFIX = /^(https?):\/\//i;
const AUTHORITY_END = /[/?#]/;
const PORT = /^[1-9][0-9]{0,4}$/;
const DEFAULT_PORT: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/**
 * The host of an absolute http(s) URL, lowercase ASCII, or undefined unless every URL parser must agree on
 * it: the text is `http(s)://AUTHORITY[/?#…]` with no backslash, whitespace or control character anywhere,
 * and the raw AUTHORITY is exactly the host the WHATWG parser found, optionally followed by the port it
 * found (no userinfo, no percent-escapes, no numeric IPv4 shorthands: a name in another spelling is refused,
 * except for case, one trailing dot and IDN, which normalizeHost maps the same way).
 */
export function strictUrlHost(url: string): string | undefined {
  if (UNSAFE_URL_CHAR.test(url)) return undefined;
  const scheme = HTTP_PREFIX.exec(url);
  if (!scheme) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== scheme[1]!.toLowerCase() + ":" || parsed.username !== "" || parsed.password !== "") return undefined;
  const rest = url.slice(scheme[0].length);
  const end = rest.search(AUTHORITY_END);
  return authorityHost(end < 0 ? rest : rest.slice(0, end), parsed);
}

/** The host of `authority` when it is exactly the parsed URL's host (and port), else undefined. */
function authorityHost(authority: string, parsed: URL): string | undefined {
  if (authority.includes("@")) return undefined;
  let rawHost = authority;
  const colon = authority.lastIndexOf(":");
  if (colon >= 0 && colon > authority.lastIndexOf("]")) {
    const rawPort = authority.slice(colon + 1);
    if (!PORT.test(rawPort)) return undefined;
    if (parsed.port !== rawPort && !(parsed.port === "" && DEFAULT_PORT[parsed.protocol] === rawPort)) return undefined;
    rawHost = authority.slice(0, colon);
  } else if (parsed.port !== "") return undefined;
  const host = normalizeHost(parsed.hostname);
  if (host === undefined || normalizeHost(rawHost) !== host) return undefined;
  return host;
}

/**
 * The host a bare authority (`host` or `host:port`, as found after `//` in free text) names, by the same
 * strict rules as strictUrlHost, or undefined when parsers could disagree about it.
 */
export function strictAuthorityHost(authority: string): string | undefined {
  if (authority === "" || AUTHORITY_END.test(authority)) return undefined;
  return strictUrlHost("http://" + authority + "/");
}

/**
 * True when `url` is an absolute http(s) URL whose host matches an allowed domain (`url in domains`), by
 * strictUrlHost: a URL that two parsers could read as two different hosts matches nothing.
 */
export function urlDomainMatches(url: string, allowed: readonly string[] | string): boolean {
  const host = strictUrlHost(url);
  if (host === undefined) return false;
  if (typeof allowed === "string") return domainMatches(host, allowed);
  return domainInList(host, allowed);
}
