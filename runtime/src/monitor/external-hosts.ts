// The hosts a string in a tool's arguments could make the tool contact, for `external_domain outside [..]`.
// The scan errs towards reporting: every `@domain` counts whether or not the text before it is an address
// a parser accepts (`"eve"@evil.com`, `x.@evil.com`, URL userinfo), every authority after `//` counts,
// scheme-relative (`//evil.com/x`) or not, and an authority that URL parsers could read two ways (a
// backslash, userinfo, escapes; see strictUrlHost) is reported as it is written.
import { domainInList, normalizeHost, strictAuthorityHost } from "../output/domains.js";

/** Cheap test first: most argument strings hold none of these, and the scan then allocates nothing. */
const MAY_HOLD_HOST = /@|[\\/]{2}|www\./i;
/** The part of that test that can start a URL authority. */
const URL_HINT = /[\\/]{2}|www\./i;
/** What may follow an `@` as (part of) a domain: everything up to a delimiter of addresses, URLs or markup. */
const DOMAIN_RUN = /[^\s@/\\?#<>()[\]{}"'`,;:!|=&*^$+~]*/uy;
/** A domain in any spelling DNS or IDN mapping accepts has a dot (IDN maps U+3002, U+FF0E, U+FF61 to one). */
const DOT_OR_ESCAPE = /[.\u3002\uFF0E\uFF61%]/u;
const TRAILING_DOTS = /[.\u3002\uFF0E\uFF61]+$/u;
/** The authority after `//` ends at a path, query, fragment, whitespace or markup; a backslash stays in it. */
const AUTHORITY_RUN = /[^\s/?#"'<>`(){}|^]*/uy;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;
const SLASHES = /[\\/]{2,}/g;
const WWW = /www\./gi;
/** A character that continues a word or path, so `//` or `www.` right after it does not start a URL. */
const WORD_CHAR = /[\p{L}\p{N}._~%+-]/u;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
/** `//TODO` in code is a comment, not a host: a scheme-relative authority of letters alone is skipped. */
const BARE_WORD = /^[\p{L}_-]+$/u;
const MAX_REPORTED = 120;

/** False when `text` can name no host at all, whatever the allowlist (firstOutsideHost is then undefined). */
export function mayNameHost(text: string): boolean {
  return MAY_HOLD_HOST.test(text);
}

/** The first host in `text` outside `allowed`, as it should be reported, or undefined. */
export function firstOutsideHost(text: string, allowed: readonly string[]): string | undefined {
  if (!MAY_HOLD_HOST.test(text)) return undefined;
  const address = text.includes("@") ? outsideAddressDomain(text, allowed) : undefined;
  if (address !== undefined) return address;
  // the URL scan allocates match iterators: run it only when an authority can be present at all
  return URL_HINT.test(text) ? outsideUrlHost(text, allowed) : undefined;
}

const LABEL_SOURCE = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * firstOutsideHost for one allowlist, with the common case answered by one precompiled expression: a
 * plain address (one `@`, no slash, backslash or `www.`, an ASCII domain inside a dotted allowed name).
 * For such a text the full scan finds exactly one host, that domain, and finds it inside the list; every
 * other text takes the full scan, so the answer is always the same as firstOutsideHost's.
 */
export function compileHostScan(allowed: readonly string[]): (text: string) => string | undefined {
  const list = allowed.slice();
  const names: string[] = [];
  for (const d of list) {
    const n = normalizeHost(d);
    // an IP address or a single label matches only exactly (domainMatches): left to the full scan
    if (n?.includes(".") && !IPV4.test(n) && !n.startsWith("[")) names.push(n.replace(/\./g, "\\."));
  }
  // without the u flag, /i folds no non-ASCII letter onto an ASCII one (K, ſ stay themselves)
  const inside = names.length > 0 ? new RegExp(`^[^@/\\\\]*@(?:${LABEL_SOURCE}\\.)*(?:${names.join("|")})$`, "i") : undefined;
  return (text) => {
    if (!MAY_HOLD_HOST.test(text)) return undefined;
    // a domain over 253 characters is no host name (normalizeHost): the full scan reports it
    if (inside !== undefined && text.length <= 254 && inside.test(text) && !WWW_ANYWHERE.test(text)) return undefined;
    return firstOutsideHost(text, list);
  };
}
const WWW_ANYWHERE = /www\./i;

function outsideAddressDomain(text: string, allowed: readonly string[]): string | undefined {
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    if (text[at + 1] === "[") {
      // A domain literal (`eve@[203.0.113.5]`): an address at a bare IP is never inside a list of names.
      const close = text.indexOf("]", at + 2);
      const literal = text.slice(at + 1, close < 0 ? text.length : close + 1);
      if (!domainInList(literal, allowed)) return report(literal);
      continue;
    }
    DOMAIN_RUN.lastIndex = at + 1;
    const run = DOMAIN_RUN.exec(text)![0].replace(TRAILING_DOTS, "");
    // `@bob` or `@here` is a mention, `user@localhost` a local name: only a dotted (or escaped) name is a domain.
    if (!DOT_OR_ESCAPE.test(run)) continue;
    if (!domainInList(run, allowed)) return report(run);
  }
  return undefined;
}

function outsideUrlHost(text: string, allowed: readonly string[]): string | undefined {
  for (const m of text.matchAll(SLASHES)) {
    const before = m.index > 0 ? text[m.index - 1]! : "";
    let schemeRelative = true;
    if (before === ":") {
      schemeRelative = false;
      let s = m.index - 1;
      while (s > 0 && SCHEME_CHAR.test(text[s - 1]!)) s--;
      // `file:///path` names no host; every other `scheme:///host` is read by WHATWG as `scheme://host`.
      if (m[0].length >= 3 && text.slice(s, m.index - 1).toLowerCase() === "file") continue;
    } else if (WORD_CHAR.test(before)) continue; // `dir//file`: a path, not a URL
    const found = checkAuthority(text, m.index + m[0].length, schemeRelative, allowed);
    if (found !== undefined) return found;
  }
  if (text.length >= 4) {
    for (const m of text.matchAll(WWW)) {
      const before = m.index > 0 ? text[m.index - 1]! : "";
      if (before === "/" || before === "\\" || before === "@" || WORD_CHAR.test(before)) continue;
      const found = checkAuthority(text, m.index, false, allowed);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function checkAuthority(text: string, start: number, schemeRelative: boolean, allowed: readonly string[]): string | undefined {
  AUTHORITY_RUN.lastIndex = start;
  let authority = AUTHORITY_RUN.exec(text)![0].replace(TRAILING_PUNCTUATION, "");
  if (authority.endsWith("]") && !authority.includes("[")) authority = authority.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
  if (authority === "" || (schemeRelative && BARE_WORD.test(authority))) return undefined;
  const host = strictAuthorityHost(authority);
  if (host === undefined) return report(authority);
  return domainInList(host, allowed) ? undefined : host;
}

function report(host: string): string {
  return host.length > MAX_REPORTED ? host.slice(0, MAX_REPORTED) + "…" : host;
}
