// Argument constraints compiled once into predicates. A predicate only answers yes or no, so the allow
// path allocates nothing (regular expressions, sets and path roots are built when the policy is
// compiled); the words of a refusal are worked out only on the deny path, and never quote the value.
// Domains are matched by whole DNS labels (runtime/src/output/domains): sub.acme.io is inside acme.io,
// acme.io.evil.com never is. Values must have the declared JSON type: "120" is not the number 120.
// Lists and objects nest; an object is a closed world at every level.
import { describeConstraint, normalisePosixPath, type BundleConstraint } from "@charter/language";
import { RE2JS } from "re2js";
import { emailDomainMatches, urlDomainMatches } from "../output/domains.js";

export type ArgPredicate = (value: unknown) => boolean;

export interface CompiledConstraint {
  constraint: BundleConstraint;
  test: ArgPredicate;
  /** `any` alone may be left out of a call; every other declared argument must be present. */
  optional: boolean;
  /**
   * For a value `test` refused: why, when there is more to say than "outside its constraint" (the
   * wrong JSON type, a relative path, which element or property failed); undefined otherwise. Only
   * called on the deny path; the words name types, positions and the policy's own names, never the value.
   */
  explain(value: unknown): string | undefined;
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

/** "expected a string, got a number": the refusal of a value of the wrong JSON type. */
function expected(what: string, v: unknown): string {
  return `expected ${what}, got ${typeOfValue(v)}`;
}

/** The JSON type(s) a list of one of / subset of values admits, in words. */
function typesOf(values: readonly (string | number)[]): string {
  const strings = values.some((x) => typeof x === "string");
  const numbers = values.some((x) => typeof x === "number");
  return strings && numbers ? "a string or a number" : numbers ? "a number" : "a string";
}

function typeMatches(values: readonly (string | number)[], v: unknown): boolean {
  return values.some((x) => typeof x === typeof v);
}

/** A constraint on one JSON type: refusals of another type say so, the rest are "outside". */
function typed(c: BundleConstraint, what: string, isType: (v: unknown) => boolean, test: ArgPredicate): CompiledConstraint {
  return { constraint: c, optional: false, test, explain: (v) => (isType(v) ? undefined : expected(what, v)) };
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number";

// ---------------------------------------------------------------- path under

/** True when an absolute path is already normal (no `//`, `.` or `..` segment): the common case needs no copy. */
function isNormalAbsolute(p: string): boolean {
  if (p.charCodeAt(0) !== 47) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 0) return false;
    if (c !== 47) continue;
    const n1 = p.charCodeAt(i + 1); // NaN past the end
    if (n1 === 47) return false;
    if (n1 === 46) {
      const n2 = p.charCodeAt(i + 2);
      if (i + 2 === p.length || n2 === 47) return false; // "/." or "/./"
      if (n2 === 46 && (i + 3 === p.length || p.charCodeAt(i + 3) === 47)) return false; // "/.." or "/../"
    }
  }
  return true;
}

/** `p` (normal, possibly with one trailing `/`) is `root` or below it; `root` is normal. */
function inside(p: string, root: string): boolean {
  if (root === "/") return true;
  if (!p.startsWith(root)) return false;
  return p.length === root.length || p.charCodeAt(root.length) === 47;
}

function compilePathUnder(c: Extract<BundleConstraint, { kind: "path_under" }>): CompiledConstraint {
  // The compiler normalises roots; a hand-made bundle's relative root admits nothing.
  const roots = c.roots.map(normalisePosixPath).filter((r): r is string => r !== undefined);
  const within = (p: string) => {
    for (let i = 0; i < roots.length; i++) if (inside(p, roots[i]!)) return true;
    return false;
  };
  return {
    constraint: c,
    optional: false,
    test: (v) => {
      if (typeof v !== "string") return false;
      if (isNormalAbsolute(v)) return within(v);
      const n = normalisePosixPath(v);
      return n !== undefined && within(n);
    },
    explain: (v) => {
      if (typeof v !== "string") return expected("a path (a string)", v);
      if (v.includes("\0")) return "a path with a NUL byte is refused";
      if (v.charCodeAt(0) !== 47) return "expected an absolute path, got a relative one";
      return undefined;
    },
  };
}

// ---------------------------------------------------------------- string matching

function compileStringMatching(c: Extract<BundleConstraint, { kind: "string_matching" }>): CompiledConstraint {
  let re: RE2JS | undefined;
  try {
    re = RE2JS.compile(c.pattern);
  } catch {
    // The checker refuses such a pattern (CH0003); a hand-made bundle's admits nothing.
    re = undefined;
  }
  if (re === undefined) {
    return {
      constraint: c,
      optional: false,
      test: () => false,
      explain: () => "the policy's pattern is not valid RE2, so nothing matches it",
    };
  }
  const matcher = re;
  // RE2 matches in time linear in the input: no argument can make this backtrack.
  return typed(c, "a string", isString, (v) => typeof v === "string" && matcher.testExact(v));
}

// ---------------------------------------------------------------- url in domains

/** `scheme:` at the start, unless it is `host:port` (`acme.io:8443/x`, which has no scheme). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:(?!\d+(?:[/?#]|$))/;

/** A URL without a scheme is read as if `https://` preceded it (spec §4); the tool still gets it as written. */
function withScheme(url: string): string {
  return url.startsWith("//") || SCHEME.test(url) ? url : "https://" + url;
}

// ---------------------------------------------------------------- lists and objects

function compileList(c: Extract<BundleConstraint, { kind: "list_of" }>): CompiledConstraint {
  const item = compileConstraint(c.item);
  const itemTest = item.test;
  const max = c.max;
  return {
    constraint: c,
    optional: false,
    test: (v) => {
      if (!Array.isArray(v) || v.length > max) return false;
      for (let i = 0; i < v.length; i++) if (!itemTest(v[i])) return false;
      return true;
    },
    explain: (v) => {
      if (!Array.isArray(v)) return expected("a list", v);
      if (v.length > max) return `a list of ${v.length} elements, more than ${max}`;
      for (let i = 0; i < v.length; i++) if (!itemTest(v[i])) return `element ${i}: ${item.explain(v[i]) ?? outsideOf(c.item)}`;
      return undefined;
    },
  };
}

function outsideOf(c: BundleConstraint): string {
  return `outside its constraint: ${describeConstraint(c)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function compileObject(c: Extract<BundleConstraint, { kind: "object" }>): CompiledConstraint {
  const names = Object.keys(c.properties);
  const declared = new Set(names);
  const optionalNames = new Set(c.optional);
  const checks = names.map((n) => compileConstraint(c.properties[n]!));
  const tests = checks.map((k) => k.test);
  const required = names.map((n) => !optionalNames.has(n));
  const closedWorld = `closed world: only ${names.join(", ") || "none"}`;
  // an own property holding `undefined` (possible from JavaScript callers, not from JSON) counts as absent
  const ownValue = (o: Record<string, unknown>, n: string) => (Object.hasOwn(o, n) ? o[n] : undefined);
  return {
    constraint: c,
    optional: false,
    test: (v) => {
      if (!isPlainObject(v)) return false;
      for (const key in v) if (!declared.has(key)) return false;
      for (let i = 0; i < names.length; i++) {
        const x = ownValue(v, names[i]!);
        if (x === undefined) {
          if (required[i]) return false;
        } else if (!tests[i]!(x)) return false;
      }
      return true;
    },
    explain: (v) => {
      if (!isPlainObject(v)) return expected("an object", v);
      // the undeclared name is the caller's text: it is not repeated
      for (const key in v) if (!declared.has(key)) return `an object with a property the policy does not name (${closedWorld})`;
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        const x = ownValue(v, name);
        if (x === undefined) {
          if (required[i]) return `property '${name}' is missing (${describeConstraint(c.properties[name]!)})`;
        } else if (!tests[i]!(x)) return `property '${name}': ${checks[i]!.explain(x) ?? outsideOf(c.properties[name]!)}`;
      }
      return undefined;
    },
  };
}

// ---------------------------------------------------------------- every kind

export function compileConstraint(c: BundleConstraint): CompiledConstraint {
  switch (c.kind) {
    case "one_of": {
      const values = c.values;
      const what = typesOf(values);
      return {
        constraint: c,
        optional: false,
        test: memberTest(values),
        explain: (v) => (typeMatches(values, v) ? undefined : expected(what, v)),
      };
    }
    case "subset_of": {
      const values = c.values;
      const member = memberTest(values);
      const what = typesOf(values);
      return {
        constraint: c,
        optional: false,
        test: (v) => {
          if (!Array.isArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!member(v[i])) return false;
          return true;
        },
        explain: (v) => {
          if (!Array.isArray(v)) return expected("a list", v);
          for (let i = 0; i < v.length; i++) if (!typeMatches(values, v[i])) return `element ${i}: ${expected(what, v[i])}`;
          return undefined;
        },
      };
    }
    case "email_in_domains": {
      const matches = compileEmailMatcher(c.domains);
      return typed(c, "a string", isString, (v) => typeof v === "string" && matches(v));
    }
    case "url_in_domains": {
      const domains = c.domains.slice();
      return typed(c, "a string", isString, (v) => typeof v === "string" && urlDomainMatches(withScheme(v), domains));
    }
    case "number_between": {
      const { min, max } = c;
      return typed(c, "a number", isNumber, (v) => typeof v === "number" && v >= min && v <= max);
    }
    case "number_max": {
      const max = c.max;
      return typed(c, "a number", isNumber, (v) => typeof v === "number" && v <= max);
    }
    case "integer_between": {
      const { min, max } = c;
      return integer(c, (v) => v >= min && v <= max);
    }
    case "integer_max": {
      const max = c.max;
      return integer(c, (v) => v <= max);
    }
    case "bool":
      return typed(
        c,
        "true or false",
        (v) => typeof v === "boolean",
        (v) => typeof v === "boolean",
      );
    case "string_max": {
      const max = c.max;
      // .length counts UTF-16 units, never fewer than code points: only long strings need the exact count.
      return typed(c, "a string", isString, (v) => typeof v === "string" && (v.length <= max || countCodePoints(v) <= max));
    }
    case "string_matching":
      return compileStringMatching(c);
    case "path_under":
      return compilePathUnder(c);
    case "list_of":
      return compileList(c);
    case "object":
      return compileObject(c);
    case "any":
      return { constraint: c, optional: true, test: () => true, explain: () => undefined };
  }
}

/** Whole numbers only: 2.5 is refused by `integer`, and so is "2". */
function integer(c: BundleConstraint, inRange: (v: number) => boolean): CompiledConstraint {
  return {
    constraint: c,
    optional: false,
    test: (v) => typeof v === "number" && Number.isInteger(v) && inRange(v),
    explain: (v) =>
      typeof v !== "number"
        ? expected("an integer", v)
        : Number.isInteger(v)
          ? undefined
          : "expected an integer, got a number with a fraction",
  };
}

/** The constraint in the policy's words, for refusal reasons: the same words `charter diff` uses. */
export { describeConstraint };

/** The JSON type of a refused value, never the value itself: refusal reasons go to the audit log unredacted. */
export function typeOfValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : "a " + typeof v;
}
