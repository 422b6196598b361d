// Property tests: compiled argument constraints against a deliberately naive reference model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileConstraint } from "../src/guard/index.js";

// No "xn--" labels: those are punycode (A-labels) that the URL parser validates and may refuse, which
// this naive model does not know; a refused host never matches, so the runtime fails closed on them.
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/).filter((l) => !l.startsWith("xn--"));
const domain = fc
  .tuple(
    fc.array(label, { maxLength: 3 }),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,5}[a-z0-9]$/).filter((l) => !l.startsWith("xn--")),
  )
  .map(([ls, t]) => [...ls, t].join("."));
// A last label of digits makes a URL host an (invalid) IPv4 address: real domains end in a letter label.
const tld = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const allowedDomain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 2 }), tld).map(([ls, t]) => [...ls, t].join("."));
const local = fc.stringMatching(/^[a-z0-9]([a-z0-9._+-]{0,6}[a-z0-9])?$/).filter((s) => !s.includes(".."));

/** The reference: the host is an allowed domain or ends with "." + it. Nothing cleverer. */
function refDomain(host: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => host === a || host.endsWith("." + a));
}

describe("constraint matching against a reference model", () => {
  it("email in domains: exact label match, subdomains included, suffix tricks excluded", () => {
    fc.assert(
      fc.property(local, domain, fc.array(allowedDomain, { minLength: 1, maxLength: 3 }), fc.boolean(), (l, host, allowed, reuse) => {
        // Half the time build the host from an allowed domain, so matches are frequent.
        const h = reuse ? `${host}.${allowed[0]}` : host;
        const c = compileConstraint({ kind: "email_in_domains", domains: allowed });
        expect(c.test(`${l}@${h}`)).toBe(refDomain(h, allowed));
        // an allowed domain as a prefix of an attacker's host never matches
        expect(c.test(`${l}@${allowed[0]}.${host}x-evil.com`)).toBe(refDomain(`${allowed[0]}.${host}x-evil.com`, allowed));
      }),
      { numRuns: 400 },
    );
  });

  it("url in domains: the URL's host decides, never its path, query or userinfo", () => {
    fc.assert(
      fc.property(domain, fc.array(allowedDomain, { minLength: 1, maxLength: 3 }), fc.boolean(), (host, allowed, reuse) => {
        const h = reuse ? `${host}.${allowed[0]}` : host;
        const c = compileConstraint({ kind: "url_in_domains", domains: allowed });
        expect(c.test(`https://${h}/p/${allowed[0]}?next=${allowed[0]}`)).toBe(refDomain(h, allowed));
        expect(c.test(`https://${allowed[0]}@${h}/`)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("one of / subset of: membership with the value's own type", () => {
    const value = fc.oneof(fc.constantFrom("a", "b", "1", "x"), fc.constantFrom(1, 2, 3));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), value, fc.array(value, { maxLength: 4 }), (values, v, vs) => {
        expect(compileConstraint({ kind: "one_of", values }).test(v)).toBe(values.some((x) => x === v));
        expect(compileConstraint({ kind: "subset_of", values }).test(vs)).toBe(vs.every((x) => values.some((y) => y === x)));
        expect(compileConstraint({ kind: "subset_of", values }).test(v)).toBe(false);
      }),
    );
  });

  it("number between / max and string max", () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: -20, max: 20 }));
    fc.assert(
      fc.property(
        num,
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.string({ unit: "grapheme", maxLength: 12 }),
        (v, lo, span, s) => {
          const hi = lo + span;
          expect(compileConstraint({ kind: "number_between", min: lo, max: hi }).test(v)).toBe(v >= lo && v <= hi);
          expect(compileConstraint({ kind: "number_max", max: hi }).test(v)).toBe(v <= hi);
          expect(compileConstraint({ kind: "number_max", max: hi }).test(String(v))).toBe(false);
          expect(compileConstraint({ kind: "string_max", max: span }).test(s)).toBe([...s].length <= span);
        },
      ),
    );
  });
});
