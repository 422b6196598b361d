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
  if (h === undefined || a === undefined) return false;
  if (h === a) return true;
  if (IPV4.test(h) || IPV4.test(a) || a.startsWith("[") || !a.includes(".")) return false;
  return h.length > a.length && h.endsWith(a) && h.charCodeAt(h.length - a.length - 1) === 46; // "."
}

export function domainInList(host: string, allowed: readonly string[]): boolean {
  for (const a of allowed) if (domainMatches(host, a)) return true;
  return false;
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

/** True when `url` is an absolute http(s) URL whose host matches an allowed domain (`url in domains`). */
export function urlDomainMatches(url: string, allowed: readonly string[] | string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return false;
  if (parsed.username !== "" || parsed.password !== "") return false;
  if (typeof allowed === "string") return domainMatches(parsed.hostname, allowed);
  return domainInList(parsed.hostname, allowed);
}
