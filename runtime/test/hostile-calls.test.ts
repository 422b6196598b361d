// Hostile inputs from the security review: URL parser differentials in `url in domains` and the
// external_domain monitor, names that live on Object.prototype, bundles whose bytes say more than what was
// checked, and test arguments named `__proto__`. Each case here failed before its fix.
import { canonicalJsonPretty, generateKeys, loadPrivateKey, semanticDigest, signBundle, type Bundle } from "@charter/language";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildBaseline, loadBundle, parseBaseline, runTestText, validateBundle, type Baseline, type MonitorAlert } from "../src/index.js";
import { compileConstraint } from "../src/guard/index.js";
import { findExfiltration, strictUrlHost, urlDomainMatches } from "../src/output/index.js";
import { jsonOf } from "../src/testing/index.js";
import { compileText, makeGuard, MINI } from "../../test/support/runtime-fixtures.js";

const mini = compileText(MINI);

// ---------------------------------------------------------------------------------------------- URLs

describe("url in domains: parser differentials are refused", () => {
  const allowed = ["company.com"];
  it.each([
    "https://company.com\\@evil.com/",
    "https:/\\company.com\\@evil.com",
    "https:\\\\company.com/",
    "https://company.com\\.evil.com/",
    "https://@company.com/",
    "https://:@company.com/",
    "https://company.com@evil.com/",
    "https://evil.com@company.com/",
    "https:company.com/",
    "https:/company.com/",
    "https:///company.com/",
    "https://company%2Ecom/",
    "https://comp%61ny.com/",
    " https://company.com/",
    "https://company.com/ x",
    "https://company.com/\tx",
    "https://comp\tany.com/",
    "https://company.com\n/",
    "\u0000https://company.com/",
    "https://company.com/\u007f",
    "https://comp\u00adany.com/",
    "https://company.com:/",
    "https://company.com:0443/",
    "https://company.com:99999/",
    "ftp://company.com/",
    "//company.com/",
    "javascript://company.com/%0aalert(1)",
  ])("refuses %j", (url) => {
    expect(urlDomainMatches(url, allowed)).toBe(false);
    expect(compileConstraint({ kind: "url_in_domains", domains: allowed }).test(url)).toBe(false);
  });

  it.each([
    "https://company.com/",
    "https://company.com",
    "HTTPS://Company.COM/path?q=1#f",
    "http://sub.company.com:8080/x",
    "https://company.com:443/",
    "https://company.com./",
    "https://company.com/@evil.com",
    "https://company.com?next=//evil.com",
  ])("accepts %j", (url) => {
    expect(urlDomainMatches(url, allowed)).toBe(true);
  });

  it("keeps IDN handling: Unicode and punycode forms of the same name match", () => {
    expect(urlDomainMatches("https://bücher.de/", ["xn--bcher-kva.de"])).toBe(true);
    expect(urlDomainMatches("https://xn--bcher-kva.de/", ["bücher.de"])).toBe(true);
    expect(strictUrlHost("https://Bücher.DE./x")).toBe("xn--bcher-kva.de");
    expect(strictUrlHost("https://0x7f.1/")).toBeUndefined(); // the parser reads 127.0.0.1: a differential
    expect(strictUrlHost("http://127.0.0.1:8080/")).toBe("127.0.0.1");
  });
});

describe("output exfiltration: a URL whose host parsers read differently is flagged", () => {
  it.each([
    "![x](https://acme.io\\@evil.com/p.png)",
    "[x](https:/\\acme.io\\@evil.com)",
    '<img src="https://acme.io\\@evil.com/p.png">',
    "https://bob@acme.io/x",
    "https://acme%2Eio/x",
  ])("flags %j", (text) => {
    expect(findExfiltration(text, ["acme.io"]).map((f) => f.reason)).toEqual([expect.stringMatching(/ambiguous_host|host_not_allowed/)]);
  });

  it.each(["![x](https://acme.io/p.png)", "[x](//docs.acme.io/a?b=c)", "www.acme.io/x", "wss://acme.io/socket", "see https://Acme.IO./x."])(
    "keeps %j",
    (text) => {
      expect(findExfiltration(text, ["acme.io"])).toEqual([]);
    },
  );
});

// The reference model: a URL is inside the list when it is `http(s)://HOST[:PORT]` followed by a clean
// path, with no userinfo, no escapes in the host and no backslash, whitespace or control character, and
// HOST (lowercase, one trailing dot dropped, IDN as punycode) is an allowed name or ends with "." + one.
const IDN: readonly (readonly [string, string])[] = [
  ["bücher.de", "xn--bcher-kva.de"],
  ["münchen.de", "xn--mnchen-3ya.de"],
  ["例え.jp", "xn--r8jz45g.jp"],
];
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/).filter((s) => !s.startsWith("xn--"));
const tld = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const asciiDomain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 2 }), tld).map(([ls, t]) => [...ls, t].join("."));
const allowedName = fc.oneof({ weight: 4, arbitrary: asciiDomain }, { weight: 1, arbitrary: fc.constantFrom(...IDN.flat()) });

function canonicalRef(host: string): string {
  let h = host.toLowerCase();
  if (h.endsWith(".")) h = h.slice(0, -1);
  for (const [u, p] of IDN) if (h === u || h.endsWith("." + u)) return h.slice(0, h.length - u.length) + p;
  return h;
}
function refInList(host: string, allowed: readonly string[]): boolean {
  const h = canonicalRef(host);
  return allowed.map(canonicalRef).some((a) => h === a || h.endsWith("." + a));
}

interface UrlParts {
  prefix: string;
  scheme: string;
  sep: string;
  userinfo: string;
  host: string;
  encode: boolean;
  port: string;
  tail: string;
}
const GOOD_PORTS = new Set(["", ":8443", ":443", ":80"]);
const CLEAN_TAILS = new Set(["", "/", "/p?q=1#f", "?next=x", "#frag", "/@evil.com", "?u=@evil.com", "/%2e%2e/"]);

function refUrl(p: UrlParts, allowed: readonly string[]): boolean {
  if (p.prefix !== "" || !["http", "https"].includes(p.scheme.toLowerCase()) || p.sep !== "://") return false;
  if (p.userinfo !== "" || p.encode || !GOOD_PORTS.has(p.port) || !CLEAN_TAILS.has(p.tail)) return false;
  return refInList(p.host, allowed);
}

function mixCase(s: string, mask: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += (mask >> (i % 30)) & 1 ? s[i]!.toUpperCase() : s[i]!;
  return out;
}

function percentEncodeOne(host: string): string {
  const i = host.search(/[a-z.]/i);
  return i < 0 ? host + "%41" : host.slice(0, i) + "%" + host.charCodeAt(i).toString(16).toUpperCase() + host.slice(i + 1);
}

/** Mostly clean values, a quarter of the time a hostile one: most runs are one twist away from a match. */
function mostly<T>(clean: readonly T[], hostile: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...clean) }, { weight: 1, arbitrary: fc.constantFrom(...hostile) });
}

const hostile = fc.record({
  allowed: fc.array(allowedName, { minLength: 1, maxLength: 3 }),
  kind: fc.integer({ min: 0, max: 6 }),
  other: asciiDomain,
  sub: label,
  mask: fc.nat(),
  trailingDot: fc.boolean(),
  prefix: mostly([""], [" ", "\u0000", "\u001f", "\t", "\u200b"]),
  scheme: mostly(["https", "http", "HTTPS", "hTTp"], ["ftp", "ws", "javascript", "https+x", "file"]),
  sep: mostly(["://"], [":/\\", ":\\\\", ":\\/", ":///", ":/", ":", "://\\", ":// "]),
  userinfo: mostly([""], ["user@", "user:pw@", "@", ":@", "ALLOWED@", "ALLOWED\\@", "ALLOWED%40", "ALLOWED.evil.com@"]),
  encode: mostly([false], [true]),
  port: mostly(["", ":8443", ":443", ":80"], [":", ":0", ":99999", ":0443", ":8o", ": 80"]),
  tail: mostly([...CLEAN_TAILS], ["\\@evil.com/", "/\\evil.com", " @evil.com", "\t", "\n/x", "/\u00adx", "\\", "\u0085"]),
});

describe("url in domains against a reference model (hostile generators)", () => {
  it("agrees with the reference on mixed case, trailing dots, userinfo, backslashes, escapes, IDN and ports", () => {
    let matched = 0;
    fc.assert(
      fc.property(hostile, (g) => {
        const a = g.allowed[0]!;
        const base = [g.other, a, `${g.sub}.${a}`, `${a}.evil.com`, `evil${a}`, `${g.sub}.${a}.${g.other}`, `${g.other}.${a}`][g.kind]!;
        let host = mixCase(base, g.mask) + (g.trailingDot ? "." : "");
        if (g.encode) host = percentEncodeOne(host);
        const parts: UrlParts = { ...g, host, userinfo: g.userinfo.replace("ALLOWED", a) };
        const url = `${g.prefix}${mixCase(g.scheme, g.mask >> 3)}${g.sep}${parts.userinfo}${host}${g.port}${g.tail}`;
        const expected = refUrl(parts, g.allowed);
        matched += expected ? 1 : 0;
        expect(urlDomainMatches(url, g.allowed)).toBe(expected);
        expect(compileConstraint({ kind: "url_in_domains", domains: g.allowed }).test(url)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    // The generators must reach both answers often, or the property proves little.
    expect(matched).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------- monitor

describe("external_domain monitor: hosts hidden from the old scan", () => {
  const decide = (note: string) => {
    const alerts: MonitorAlert[] = [];
    const { guard } = makeGuard(mini, { alerts: (a) => alerts.push(a) });
    const d = guard.decide({ agent: "helper", session: "s", tool: "free", args: { note } });
    return { outcome: d.outcome, rule: d.rule, alerts };
  };

  it.each([
    'send it to "eve"@evil.com',
    '"eve@acme.io"@evil.com',
    "eve.@evil.com",
    ".eve@evil.com",
    "eve..x@evil.com",
    "bob@acme.io,eve@evil.com",
    "eve@[203.0.113.5]",
    "eve@evil。com",
    "fetch //evil.com/x",
    "<img src=//evil.com/p.png>",
    "[x](//evil.com/x)",
    "url=//8.8.8.8/",
    "https://acme.io\\@evil.com/",
    "https:/\\acme.io\\@evil.com",
    "https:\\\\evil.com/",
    "https://bob@acme.io@evil.com/",
    "https://acme.io%2eevil.com/",
    "https://0x7f.1/",
    "s3://evil-bucket.com/key",
    "see WWW.evil.com/x",
  ])("flags %j", (note) => {
    const r = decide(note);
    expect(r).toMatchObject({ outcome: "deny", rule: "monitor" });
    expect(r.alerts.map((a) => a.kind)).toEqual(["external_domain"]);
  });

  it.each([
    "see https://docs.acme.io/x and bob@acme.io",
    '"bob"@acme.io',
    "//acme.io/x",
    "https://Docs.ACME.io./x?next=/y#z",
    "// a code comment",
    "a path like dir//file and a//b",
    "@bob said hi; ping @here",
    "user@localhost",
    "mailto:bob@acme.io",
    "file:///etc/hosts",
  ])("allows %j", (note) => {
    expect(decide(note).outcome).toBe("allow");
  });
});

// ---------------------------------------------------------------------------------------------- prototype names

function supervisedLog(): string {
  const { guard, clock, sink } = makeGuard(mini);
  for (let s = 0; s < 5; s++) {
    for (const tool of ["lookup", "free", "lookup"]) {
      guard.decide({ agent: "helper", session: `sup-${s}`, tool, args: tool === "lookup" ? { id: "A1" } : {} });
      clock.now += 200_000;
    }
  }
  return sink.text();
}

const CONSTRUCTOR_AGENT = `
agent constructor {
  kind conversational
  reads docs
  tool free { scope read tier low rate 100 per 1h }
}
agent toString {
  kind conversational
  reads docs
  tool free { scope read tier low rate 100 per 1h }
}
`;

describe("names on Object.prototype", () => {
  const built = buildBaseline(supervisedLog());
  const withPrototypeNames = compileText(MINI + CONSTRUCTOR_AGENT);

  it("a baseline learned for other agents says nothing about agents named constructor or toString", () => {
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const reparsed = parseBaseline(JSON.parse(JSON.stringify(built.baseline)));
    if (!reparsed.ok) return expect.fail(reparsed.error.message);
    // The third is built by hand as plain objects, as a caller may do: the monitor must still look up own names only.
    const plain: Baseline = { ...built.baseline, agents: { ...built.baseline.agents } };
    for (const baseline of [built.baseline, reparsed.baseline, plain]) {
      const { guard } = makeGuard(withPrototypeNames, { baseline });
      expect(guard.decide({ agent: "constructor", session: "s", tool: "free", args: {} }).outcome).toBe("allow");
      expect(guard.decide({ agent: "toString", session: "s", tool: "free", args: {} }).outcome).toBe("allow");
    }
  });

  it("baselines hold agents and tools in null-prototype records", () => {
    if (!built.ok) return expect.fail("baseline");
    expect(Object.getPrototypeOf(built.baseline.agents)).toBeNull();
    expect(built.baseline.agents.constructor).toBeUndefined();
    const parsed = parseBaseline(JSON.parse(JSON.stringify(built.baseline)));
    expect(parsed.ok && Object.getPrototypeOf(parsed.baseline.agents)).toBeNull();
    expect(parsed.ok && Object.getPrototypeOf(parsed.baseline.agents.helper!.tools)).toBeNull();
  });

  it("a logged tool named __proto__ is learned as a name, never written to Object.prototype", () => {
    const line = (tool: string, agent = "helper") =>
      JSON.stringify({ event: "decision", outcome: "allow", ts: "2026-01-01T00:00:00Z", agent, session: "s", action: { tool, args: {} } });
    const r = buildBaseline([line("__proto__"), line("__proto__"), line("lookup"), line("x", "__proto__")].join("\n"));
    expect((Object.prototype as Record<string, unknown>).calls).toBeUndefined();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.hasOwn(r.baseline.agents.helper!.tools, "__proto__")).toBe(true);
    // biome-ignore lint/suspicious/noProto: deliberate: reads an own property named __proto__, the prototype-pollution case under test
    expect(r.baseline.agents.helper!.tools["__proto__"]!.calls).toBe(2);
    expect(Object.hasOwn(r.baseline.agents, "__proto__")).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------- bundles

/** A hand-edited bundle with its digest recomputed, as an attacker with write access to the file would. */
function edited(edit: (b: any) => void): Bundle {
  const b = structuredClone(mini) as any;
  edit(b);
  b.digest = semanticDigest(b);
  return b as Bundle;
}

describe("bundle referential integrity", () => {
  it.each([
    ["reads an undeclared source named constructor", (b: any) => (b.agents.helper.reads = ["constructor"]), "reads"],
    ["reads an undeclared source", (b: any) => (b.agents.helper.reads = ["nowhere"]), "reads"],
    ["talks to a missing agent", (b: any) => (b.agents.helper.talksTo = [{ agent: "ghost", via: "work" }]), "talksTo"],
    ["talks to an agent named toString", (b: any) => (b.agents.helper.talksTo = [{ agent: "toString", via: "work" }]), "talksTo"],
    [
      "talks via an interface the target does not expose",
      (b: any) => (b.agents.helper.talksTo = [{ agent: "worker", via: "admin" }]),
      "talksTo",
    ],
    ["denies __proto__", (b: any) => (b.agents.helper.deny = ["__proto__"]), "deny"],
    ["exposes __proto__", (b: any) => (b.agents.worker.exposes = ["work", "__proto__"]), "exposes"],
  ])("refuses a bundle that %s", (_what, edit, field) => {
    const bundle = edited(edit);
    const r = loadBundle(bundle);
    expect(r.ok).toBe(false);
    if (r.ok || r.error.kind !== "reference") return expect.fail(`expected a reference error, got ${JSON.stringify(r)}`);
    expect(r.error.issuePath).toContain(field);
    expect(r.error.message).toMatch(/helper|worker/);
    expect(r.error.message).toContain(r.error.issuePath.join("."));
  });

  it("an injection never reaches an agent through a source named constructor", () => {
    const bundle = edited((b) => (b.agents.helper.reads = ["docs", "constructor"]));
    expect(validateBundle(bundle).ok).toBe(false);
  });

  it("every example bundle still loads", async () => {
    const { compileExample } = await import("../../test/support/runtime-fixtures.js");
    for (const name of ["procurement.charter", "customer-support.charter", "data-analysis.charter", "pipeline.charter"]) {
      expect(loadBundle(canonicalJsonPretty(compileExample(name))).ok).toBe(true);
    }
  });
});

describe("bundle bytes must be exactly what was checked", () => {
  const keys = generateKeys();
  const signed = signBundle(mini, loadPrivateKey(keys.privatePem)!);
  const text = canonicalJsonPretty(signed);

  it("accepts the canonical text charter build writes, from text and from a file", () => {
    expect(loadBundle(text, { publicKey: keys.publicKey }).ok).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "charter-hostile-"));
    writeFileSync(join(dir, "b.json"), text);
    expect(loadBundle(join(dir, "b.json"), { publicKey: keys.publicKey }).ok).toBe(true);
  });

  it("refuses a signed bundle with an extra __proto__ key zod would drop", () => {
    const extra = text.replace('"agents": {', '"agents": {\n    "__proto__": { "kind": "conversational" },');
    expect(Object.hasOwn(JSON.parse(extra).agents, "__proto__")).toBe(true);
    const r = loadBundle(extra, { publicKey: keys.publicKey });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe("not_canonical");
    const dir = mkdtempSync(join(tmpdir(), "charter-hostile-"));
    writeFileSync(join(dir, "b.json"), extra);
    const f = loadBundle(join(dir, "b.json"), { publicKey: keys.publicKey });
    expect(!f.ok && f.error.kind).toBe("not_canonical");
    expect(!f.ok && f.error.message).toContain(join(dir, "b.json"));
  });

  it("refuses text in any other layout, naming line endings when that is the only difference", () => {
    expect(!loadBundle(JSON.stringify(signed)).ok && (loadBundle(JSON.stringify(signed)) as any).error.kind).toBe("not_canonical");
    const crlf = loadBundle(text.replace(/\n/g, "\r\n"));
    expect(!crlf.ok && crlf.error.kind).toBe("not_canonical");
    expect(!crlf.ok && crlf.error.message).toMatch(/CRLF/);
    expect(loadBundle(text + "\n").ok).toBe(false);
    expect(loadBundle(text.replace('"format"', '"format" ')).ok).toBe(false);
  });

  it("refuses an object whose canonical JSON round trip is not the object", () => {
    const withProto = structuredClone(signed) as any;
    Object.defineProperty(withProto.agents, "__proto__", {
      value: { kind: "conversational" },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    expect(loadBundle(withProto, { publicKey: keys.publicKey }).ok).toBe(false);
    expect((loadBundle(withProto) as any).error.kind).toBe("not_canonical");
    const withUndefined = { ...structuredClone(mini), signature: undefined };
    expect((loadBundle(withUndefined) as any).error?.kind).toBe("not_canonical");
    const withDate = structuredClone(signed) as any;
    withDate.policy.owner = new Date(0);
    expect(loadBundle(withDate).ok).toBe(false);
    expect(loadBundle(structuredClone(signed), { publicKey: keys.publicKey }).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------- charter test

describe("charter test arguments named __proto__", () => {
  it("become an own property, as JSON.parse makes them, so charter test and the runtime agree", async () => {
    const text = MINI + `\ntest "proto" {\n  expect helper call lookup { id: "A1", "__proto__": 1 } => deny\n}\n`;
    const run = await runTestText(text, "proto.charter");
    expect(run.ok).toBe(true);
    if (!run.ok) return;
    expect(run.results.map((r) => [r.actual, r.passed])).toEqual([["deny", true]]);
    // The runtime, given the same call as JSON, decides the same.
    const { guard } = makeGuard(mini);
    expect(
      guard.decide({ agent: "helper", session: "s", tool: "lookup", args: JSON.parse(`{ "id": "A1", "__proto__": 1 }`) }).outcome,
    ).toBe("deny");
  });

  it("jsonOf keeps __proto__ as data", () => {
    const span = { start: 0, end: 0 };
    const v = jsonOf({
      kind: "object",
      span,
      entries: [
        {
          key: { value: "__proto__", span } as any,
          value: {
            kind: "object",
            span,
            entries: [{ key: { value: "polluted", span } as any, value: { kind: "bool", value: true, span }, span }],
          },
          span,
        },
      ],
    } as any) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(v)).toBe('{"__proto__":{"polluted":true}}');
  });
});

describe("allow-list normalisation cache", () => {
  it("never serves a list changed in place from the cache", async () => {
    const { domainInList } = await import("../src/output/domains.js");
    const allowed = ["company.com", "partner.io"];
    expect(domainInList("mail.partner.io", allowed)).toBe(true);
    allowed[1] = "other.io";
    expect(domainInList("mail.partner.io", allowed)).toBe(false);
    expect(domainInList("x.OTHER.io.", allowed)).toBe(true);
  });
});
