// Argument constraints compiled once into predicates. A predicate only answers yes or no, so the allow
// path allocates nothing; the words of each refusal are built once, when the policy is compiled.
// Domains are matched by whole DNS labels (runtime/src/output/domains): sub.acme.io is inside acme.io,
// acme.io.evil.com never is. Values must have the declared JSON type: "120" is not the number 120.
import type { BundleConstraint } from "@charter/language";
import { emailDomainMatches, urlDomainMatches } from "../output/domains.js";

export type ArgPredicate = (value: unknown) => boolean;

export interface CompiledConstraint {
  constraint: BundleConstraint;
  test: ArgPredicate;
  /** `any` alone may be left out of a call; every other declared argument must be present. */
  optional: boolean;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 === s.length) n++;
    else {
      const d = s.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

const LOCAL_PART_SOURCE = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const LABEL_SOURCE = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * `email in domains` as one precompiled regular expression for the common case (a plain ASCII address),
 * falling back to the full emailDomainMatches (IDNs, odd forms) only when the expression says no. The
 * expression accepts a subset of what emailDomainMatches accepts, so the answer is always the same.
 */
export function compileEmailMatcher(domains: readonly string[]): (email: string) => boolean {
  const list = domains.slice();
  const exact: string[] = [];
  const withSubdomains: string[] = [];
  for (const d of list) {
    const a = d.toLowerCase().replace(/\.$/, "");
    if (!new RegExp(`^${LABEL_SOURCE}(?:\\.${LABEL_SOURCE})*$`).test(a)) continue;
    const escaped = a.replace(/\./g, "\\.");
    // An IP address or a single-label name matches only exactly (see domainMatches).
    (IPV4.test(a) || !a.includes(".") ? exact : withSubdomains).push(escaped);
  }
  const alternatives = [...withSubdomains.map((a) => `(?:${LABEL_SOURCE}\\.)*${a}`), ...exact];
  const fast = alternatives.length ? new RegExp(`^${LOCAL_PART_SOURCE}@(?:${alternatives.join("|")})$`, "i") : undefined;
  return (email) => {
    const at = email.indexOf("@");
    if (fast !== undefined && at > 0 && at <= 64 && email.length - at - 1 <= 253 && fast.test(email)) return true;
    return emailDomainMatches(email, list);
  };
}

function memberTest(values: readonly (string | number)[]): (v: unknown) => boolean {
  const set = new Set<unknown>(values);
  return (v) => (typeof v === "string" || typeof v === "number") && set.has(v);
}

export function compileConstraint(c: BundleConstraint): CompiledConstraint {
  switch (c.kind) {
    case "one_of":
      return { constraint: c, optional: false, test: memberTest(c.values) };
    case "subset_of": {
      const member = memberTest(c.values);
      return {
        constraint: c,
        optional: false,
        test: (v) => {
          if (!Array.isArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!member(v[i])) return false;
          return true;
        },
      };
    }
    case "email_in_domains": {
      const matches = compileEmailMatcher(c.domains);
      return { constraint: c, optional: false, test: (v) => typeof v === "string" && matches(v) };
    }
    case "url_in_domains": {
      const domains = c.domains.slice();
      return { constraint: c, optional: false, test: (v) => typeof v === "string" && urlDomainMatches(v, domains) };
    }
    case "number_between": {
      const { min, max } = c;
      return { constraint: c, optional: false, test: (v) => typeof v === "number" && v >= min && v <= max };
    }
    case "number_max": {
      const max = c.max;
      return { constraint: c, optional: false, test: (v) => typeof v === "number" && v <= max };
    }
    case "string_max": {
      const max = c.max;
      return {
        constraint: c,
        optional: false,
        // .length counts UTF-16 units, never fewer than code points: only long strings need the exact count.
        test: (v) => typeof v === "string" && (v.length <= max || countCodePoints(v) <= max),
      };
    }
    case "any":
      return { constraint: c, optional: true, test: () => true };
    default:
      // v1 constraint kinds (integer, bool, string matching, path under, list of, object): refused until
      // their matchers land, so a bundle that uses them fails closed rather than open.
      return { constraint: c, optional: false, test: () => false };
  }
}

/** The constraint in the policy's words, for refusal reasons: the same words `charter diff` uses. */
export { describeConstraint } from "@charter/language";

/** The JSON type of a refused value, never the value itself: refusal reasons go to the audit log unredacted. */
export function typeOfValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : "a " + typeof v;
}
