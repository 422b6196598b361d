// The v1 argument constraints against simple reference models (fast-check): integers, bool, string
// matching (RE2: linear time, whole-string match), path under (lexical POSIX normalisation, compared
// with node's path.posix.normalize), lists, closed-world nested objects, scheme-less URLs. And the
// refusal words: the JSON type when it is wrong, the failing element or property, never the value.
import { checkText, type Bundle, type BundleConstraint } from "@charter/language";
import { createGuard } from "@charter/runtime";
import type { CompiledConstraint } from "../src/guard/index.js";
import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { normalisePosixPath } from "@charter/language";
import { compileConstraint } from "../src/guard/constraints.js";

const junk = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 2 }), fc.integer(), { maxKeys: 2 }),
);

describe("integer and bool", () => {
  it("integer between / max admit whole JSON numbers in range only", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: -50, max: 50 }),
        fc.oneof(fc.integer({ min: -60, max: 60 }), fc.double({ min: -60, max: 60 }), junk),
        (a, b, v) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const whole = typeof v === "number" && Number.isInteger(v);
          expect(compileConstraint({ kind: "integer_between", min, max }).test(v)).toBe(whole && v >= min && v <= max);
          expect(compileConstraint({ kind: "integer_max", max }).test(v)).toBe(whole && v <= max);
        },
      ),
      { numRuns: 500 },
    );
    expect(compileConstraint({ kind: "integer_max", max: 10 }).test("3")).toBe(false);
    expect(compileConstraint({ kind: "integer_max", max: 10 }).test(2.5)).toBe(false);
  });

  it("bool admits true and false, not 'true', 1 or null", () => {
    const c = compileConstraint({ kind: "bool" });
    fc.assert(
      fc.property(junk, (v) => {
        expect(c.test(v)).toBe(typeof v === "boolean");
      }),
    );
    for (const v of ["true", 1, 0, null, undefined]) expect(c.test(v)).toBe(false);
  });
});

// ---------------------------------------------------------------- string matching

/** Patterns of a tiny regular language whose meaning JavaScript and RE2 agree on. */
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "[ab]", "[^a]", "c"),
    fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}${y}`),
    fc.tuple(tie("re"), tie("re")).map(([x, y]) => `(?:${x}|${y})`),
    tie("re").map((x) => `(?:${x})*`),
    tie("re").map((x) => `(?:${x})+`),
    tie("re").map((x) => `(?:${x})?`),
    tie("re").map((x) => `(?:${x}){1,2}`),
  ),
})).re;
const abc = fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 10 });

describe("string matching", () => {
  it("matches the whole string, as an anchored JavaScript RegExp would", () => {
    fc.assert(
      fc.property(pattern, abc, (p, s) => {
        const c = compileConstraint({ kind: "string_matching", pattern: p });
        expect(c.test(s)).toBe(new RegExp(`^(?:${p})$`).test(s));
      }),
      { numRuns: 1000 },
    );
  });

  it("is anchored at both ends even where the pattern is not", () => {
    const c = compileConstraint({ kind: "string_matching", pattern: "[0-9]{3}|x" });
    expect(c.test("123")).toBe(true);
    expect(c.test("1234")).toBe(false);
    expect(c.test("a123")).toBe(false);
    expect(c.test("x\n")).toBe(false);
    expect(c.test(123)).toBe(false);
  });

  it("finishes on patterns that make a backtracking engine exponential", () => {
    // A backtracking engine takes ~2^n steps here; RE2 is linear. These finish (and say no) at 100k chars.
    const evil = "a".repeat(100_000) + "!";
    for (const p of ["(a+)+$", "(a|a)*b", "(a*)*b", "(a|aa)+c", "(.*a){20}"]) {
      expect(compileConstraint({ kind: "string_matching", pattern: p }).test(evil), p).toBe(false);
    }
    expect(compileConstraint({ kind: "string_matching", pattern: "(a+)+" }).test("a".repeat(100_000))).toBe(true);
  });

  it("admits nothing when a (hand-made) bundle's pattern is not RE2: backreferences, lookaround", () => {
    for (const p of ["(a)\\1", "(?=a)a", "a(?!b)", "("]) {
      const c = compileConstraint({ kind: "string_matching", pattern: p });
      expect(c.test("aa")).toBe(false);
      expect(c.test("a")).toBe(false);
      expect(c.explain("a")).toContain("not valid RE2");
    }
  });
});

// ---------------------------------------------------------------- path under

const segment = fc.constantFrom("srv", "docs", "etc", "a", "", ".", "..", "docs2", "x y", "..a", ".b");
const pathText = fc
  .tuple(fc.boolean(), fc.array(segment, { maxLength: 7 }), fc.boolean())
  .map(([absolute, segs, trailing]) => (absolute ? "/" : "") + segs.join("/") + (trailing ? "/" : ""));
const ROOT_SETS = [["/srv/docs"], ["/srv/docs", "/etc"], ["/"], ["/a/b", "/srv"]];

/** The reference: node's normaliser, without its trailing slash, and a prefix test on whole segments. */
function refPathUnder(p: string, roots: readonly string[]): boolean {
  if (!p.startsWith("/") || p.includes("\0")) return false;
  let n = posix.normalize(p);
  if (n.length > 1 && n.endsWith("/")) n = n.slice(0, -1);
  return roots.some((r) => r === "/" || n === r || n.startsWith(r + "/"));
}

describe("path under", () => {
  it("normalises like path.posix.normalize (., .., repeated /), without the trailing slash", () => {
    fc.assert(
      fc.property(
        pathText.filter((p) => p.startsWith("/")),
        (p) => {
          let expected = posix.normalize(p);
          if (expected.length > 1 && expected.endsWith("/")) expected = expected.slice(0, -1);
          expect(normalisePosixPath(p)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("admits an absolute path that, normalised, lies inside a root", () => {
    fc.assert(
      fc.property(pathText, fc.constantFrom(...ROOT_SETS), (p, roots) => {
        expect(compileConstraint({ kind: "path_under", roots }).test(p)).toBe(refPathUnder(p, roots));
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses relative paths, NUL bytes, escapes by .., and look-alike siblings", () => {
    const c = compileConstraint({ kind: "path_under", roots: ["/srv/docs"] });
    expect(c.test("/srv/docs")).toBe(true);
    expect(c.test("/srv/docs/")).toBe(true);
    expect(c.test("/srv/docs/a/../b.txt")).toBe(true);
    expect(c.test("//srv//docs/./x")).toBe(true);
    expect(c.test("/srv/docs/../secrets")).toBe(false);
    expect(c.test("/srv/docs/../../etc/passwd")).toBe(false);
    expect(c.test("/srv/docs2/x")).toBe(false);
    expect(c.test("/srv/docsx")).toBe(false);
    expect(c.test("srv/docs/x")).toBe(false);
    expect(c.test("./srv/docs/x")).toBe(false);
    expect(c.test("")).toBe(false);
    expect(c.test("/srv/docs/x\0.txt")).toBe(false);
    expect(c.test(["/srv/docs"])).toBe(false);
    expect(c.explain("docs/x")).toBe("expected an absolute path, got a relative one");
    expect(c.explain("/srv/docs/a\0")).toBe("a path with a NUL byte is refused");
    expect(c.explain(7)).toBe("expected a path (a string), got a number");
    expect(c.explain("/etc/passwd")).toBeUndefined(); // outside: the guard names the roots
  });
});

// ---------------------------------------------------------------- lists and nested objects

type Leaf = Extract<BundleConstraint, { kind: "string_max" | "integer_between" | "bool" | "one_of" }>;
const leaf: fc.Arbitrary<BundleConstraint> = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((max): Leaf => ({ kind: "string_max", max })),
  fc.integer({ min: -2, max: 2 }).map((min): Leaf => ({ kind: "integer_between", min, max: min + 2 })),
  fc.constant<Leaf>({ kind: "bool" }),
  fc.constant<Leaf>({ kind: "one_of", values: ["x", 1] }),
);
const constraint: fc.Arbitrary<BundleConstraint> = fc.letrec<{ c: BundleConstraint }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.tuple(tie("c"), fc.integer({ min: 0, max: 3 })).map(([item, max]): BundleConstraint => ({ kind: "list_of", item, max })),
    fc
      .dictionary(fc.constantFrom("p", "q", "r"), tie("c"), { maxKeys: 3 })
      .chain((properties) =>
        fc
          .subarray(Object.keys(properties))
          .map((optional): BundleConstraint => ({ kind: "object", properties, optional: optional.sort() })),
      ),
  ),
})).c;

/** Values near the constraint (mostly inside it, sometimes just outside), so both answers are common. */
function near(c: BundleConstraint): fc.Arbitrary<unknown> {
  switch (c.kind) {
    case "string_max":
      return fc.oneof(fc.string({ maxLength: c.max + 1 }), junk);
    case "integer_between":
      return fc.oneof(fc.integer({ min: c.min - 1, max: c.max + 1 }), fc.constant(c.min + 0.5), junk);
    case "bool":
      return fc.oneof(fc.boolean(), junk);
    case "one_of":
      return fc.oneof(fc.constantFrom("x", 1, "1", "y"), junk);
    case "list_of":
      return fc.oneof({ weight: 4, arbitrary: fc.array(near(c.item), { maxLength: c.max + 1 }) }, { weight: 1, arbitrary: junk });
    case "object": {
      const entries = Object.entries(c.properties).map(([k, v]) =>
        fc.option(near(v), { nil: undefined, freq: 4 }).map((x) => [k, x] as const),
      );
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.tuple(fc.tuple(...entries), fc.option(fc.constantFrom("extra", "p2"), { freq: 4 })).map(([kvs, extra]) => {
            const o: Record<string, unknown> = {};
            for (const [k, x] of kvs) if (x !== undefined) o[k] = x;
            if (extra !== null) o[extra] = 1;
            return o;
          }),
        },
        { weight: 1, arbitrary: junk },
      );
    }
    default:
      return junk;
  }
}

/** The reference model, written as plainly as possible. */
function refMatch(c: BundleConstraint, v: unknown): boolean {
  switch (c.kind) {
    case "string_max":
      return typeof v === "string" && [...v].length <= c.max;
    case "integer_between":
      return typeof v === "number" && Number.isInteger(v) && v >= c.min && v <= c.max;
    case "bool":
      return v === true || v === false;
    case "one_of":
      return c.values.includes(v as string | number);
    case "list_of":
      return Array.isArray(v) && v.length <= c.max && v.every((x) => refMatch(c.item, x));
    case "object": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      const o = v as Record<string, unknown>;
      if (Object.keys(o).some((k) => !(k in c.properties))) return false;
      return Object.entries(c.properties).every(([k, sub]) => (k in o ? refMatch(sub, o[k]) : c.optional.includes(k)));
    }
    default:
      throw new Error(`no reference for ${c.kind}`);
  }
}

describe("lists and nested objects", () => {
  it("match the reference model at every depth: list length, closed world, required and optional properties", () => {
    fc.assert(
      fc.property(
        constraint.chain((c) => fc.tuple(fc.constant(c), near(c))),
        ([c, v]) => {
          const compiled = compileConstraint(c);
          const ok = refMatch(c, v);
          expect(compiled.test(v)).toBe(ok);
          // every refusal can be explained without crashing; an allowed value has nothing to explain
          if (ok) expect(compiled.explain(v)).toBeUndefined();
          else compiled.explain(v);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("says which element or property failed, and why", () => {
    const entity: BundleConstraint = {
      kind: "object",
      properties: {
        name: { kind: "string_max", max: 10 },
        observations: { kind: "list_of", item: { kind: "string_max", max: 5 }, max: 2 },
        rank: { kind: "integer_max", max: 9 },
      },
      optional: ["rank"],
    };
    const c = compileConstraint({ kind: "list_of", item: entity, max: 3 });
    expect(c.test([{ name: "a", observations: [] }])).toBe(true);
    expect(c.test([{ name: "a", observations: ["x"], rank: 3 }])).toBe(true);
    expect(c.explain("nope")).toBe("expected a list, got a string");
    expect(c.explain([{}, {}, {}, {}])).toBe("a list of 4 elements, more than 3");
    expect(
      c.explain([
        { name: "a", observations: [] },
        { name: 5, observations: [] },
      ]),
    ).toBe("element 1: property 'name': expected a string, got a number");
    expect(c.explain([{ name: "a" }])).toBe("element 0: property 'observations' is missing (list of string max 5 max 2)");
    expect(c.explain([{ name: "a", observations: ["toolong"] }])).toBe(
      "element 0: property 'observations': element 0: outside its constraint: string max 5",
    );
    expect(c.explain([{ name: "a", observations: [], rank: 2.5 }])).toBe(
      "element 0: property 'rank': expected an integer, got a number with a fraction",
    );
    expect(c.explain([{ name: "a", observations: [], SECRET_KEY: 1 }])).toBe(
      "element 0: an object with a property the policy does not name (closed world: only name, observations, rank)",
    );
    expect(c.test([{ name: "a", observations: [], rank: undefined }])).toBe(true);
  });
});

// ---------------------------------------------------------------- url in domains without a scheme

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?$/);
const tld = fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/);
const host = fc.tuple(fc.array(label, { maxLength: 2 }), tld).map(([ls, t]) => [...ls, t].join("."));
const rest = fc.constantFrom("", "/", "/page", "/x?y=1", "#top", ":8443/x", "/a/b.html");

describe("url in domains", () => {
  it("reads a URL without a scheme as if https:// preceded it", () => {
    fc.assert(
      fc.property(host, fc.array(host, { minLength: 1, maxLength: 3 }), rest, fc.boolean(), (h, allowed, tail, reuse) => {
        const name = reuse ? `www.${allowed[0]}` : h;
        const c = compileConstraint({ kind: "url_in_domains", domains: allowed });
        expect(c.test(name + tail)).toBe(c.test(`https://${name}${tail}`));
      }),
      { numRuns: 500 },
    );
    const c = compileConstraint({ kind: "url_in_domains", domains: ["example.com", "acme.io"] });
    for (const ok of ["www.example.com/page", "acme.io/x", "acme.io", "ACME.io/x", "acme.io:8443/x", "https://acme.io/x"])
      expect(c.test(ok), ok).toBe(true);
    for (const no of [
      "evil.com/acme.io",
      "acme.io.evil.com/x",
      "javascript:alert(1)//acme.io",
      "mailto:a@acme.io",
      "ftp://acme.io/x",
      "//acme.io/x",
      "/acme.io",
      "a@acme.io.evil.com",
      "acme.io\\@evil.com",
    ])
      expect(c.test(no), no).toBe(false);
  });
});

// ---------------------------------------------------------------- refusal words

describe("refusal reasons", () => {
  const cases: [BundleConstraint, unknown, string][] = [
    [{ kind: "number_max", max: 5 }, "3", "expected a number, got a string"],
    [{ kind: "number_between", min: 0, max: 5 }, [1], "expected a number, got a list"],
    [{ kind: "string_max", max: 5 }, 3, "expected a string, got a number"],
    [{ kind: "one_of", values: ["a", "b"] }, 1, "expected a string, got a number"],
    [{ kind: "one_of", values: [1, "b"] }, true, "expected a string or a number, got a boolean"],
    [{ kind: "subset_of", values: ["a"] }, "a", "expected a list, got a string"],
    [{ kind: "subset_of", values: ["a"] }, ["a", 2], "element 1: expected a string, got a number"],
    [{ kind: "email_in_domains", domains: ["x.com"] }, {}, "expected a string, got an object"],
    [{ kind: "bool" }, "true", "expected true or false, got a string"],
    [{ kind: "integer_between", min: 0, max: 9 }, "4", "expected an integer, got a string"],
    [{ kind: "object", properties: {}, optional: [] }, null, "expected an object, got null"],
  ];
  it.each(cases)("%j refuses %j: %s", (c, v, why) => {
    const compiled: CompiledConstraint = compileConstraint(c);
    expect(compiled.test(v)).toBe(false);
    expect(compiled.explain(v)).toBe(why);
  });

  it("leaves a value of the right type to the constraint's own words", () => {
    expect(compileConstraint({ kind: "number_max", max: 5 }).explain(9)).toBeUndefined();
    expect(compileConstraint({ kind: "one_of", values: ["a"] }).explain("z")).toBeUndefined();
  });

  it("never repeats the refused value", () => {
    const secret = fc.string({ minLength: 6, maxLength: 12 }).map((s) => `SECRET${s}`);
    const kinds: BundleConstraint[] = [
      { kind: "string_max", max: 3 },
      { kind: "path_under", roots: ["/srv"] },
      { kind: "string_matching", pattern: "[a-z]{1,3}" },
      { kind: "list_of", item: { kind: "string_max", max: 2 }, max: 5 },
      { kind: "object", properties: { a: { kind: "string_max", max: 2 } }, optional: [] },
      { kind: "url_in_domains", domains: ["acme.io"] },
    ];
    fc.assert(
      fc.property(secret, fc.constantFrom(...kinds), (s, c) => {
        const compiled = compileConstraint(c);
        for (const v of [s, [s], { a: s }, { [s]: 1 }, `/etc/${s}`, `${s}\0`]) {
          if (compiled.test(v)) continue;
          expect(compiled.explain(v) ?? "").not.toContain("SECRET");
        }
      }),
    );
  });
});

// ---------------------------------------------------------------- through the guard

/** A v1 bundle: compiled from policy text, then given v1 args (the compiler's v1 syntax lands separately). */
function bundleWith(args: NonNullable<Bundle["agents"][string]["tools"][string]["args"]>): Bundle {
  const checked = checkText(`
policy p { version 1 owner "o" }
defaults {
  monitor { tool_rate > 2.0x baseline within 5m => alert high  data_volume > 2.0x baseline per session => alert high  output pii => redact }
  audit { retention 365d pii hash }
}
agent kb { kind conversational  tool create_entities { scope read tier low rate 100 per 1h args { entities: any } } }
`);
  expect(checked.errors).toBe(0);
  const bundle = structuredClone(checked.bundle);
  bundle.agents.kb!.tools.create_entities!.args = args;
  return bundle;
}

describe("decide with v1 arguments", () => {
  const guard = createGuard(
    bundleWith({
      properties: {
        entities: {
          kind: "list_of",
          max: 2,
          item: {
            kind: "object",
            properties: {
              name: { kind: "string_max", max: 8 },
              tags: { kind: "list_of", item: { kind: "one_of", values: ["a", "b"] }, max: 2 },
            },
            optional: ["tags"],
          },
        },
        dryRun: { kind: "bool" },
        root: { kind: "path_under", roots: ["/srv/kb"] },
      },
      optional: ["dryRun", "root"],
    }),
    { audit: null },
  );
  const call = (args: unknown) => guard.decide({ agent: "kb", session: "s", tool: "create_entities", args });

  it("allows a call inside every nested constraint, with optional arguments absent", () => {
    expect(call({ entities: [{ name: "alice" }, { name: "bob", tags: ["a"] }] }).outcome).toBe("allow");
    expect(call({ entities: [], dryRun: true, root: "/srv/kb/./x" }).outcome).toBe("allow");
  });

  it("refuses with the position and the type, not the value", () => {
    const typed = call({ entities: [{ name: 12345 }] });
    expect(typed).toMatchObject({ outcome: "deny", rule: "args" });
    expect(typed.reason).toBe("argument 'entities' of create_entities: element 0: property 'name': expected a string, got a number");
    expect(call({ entities: [], dryRun: "yes" }).reason).toBe("argument 'dryRun' of create_entities: expected true or false, got a string");
    expect(call({ entities: [], root: "../etc" }).reason).toBe(
      "argument 'root' of create_entities: expected an absolute path, got a relative one",
    );
    const outside = call({ entities: [], root: "/srv/kb/../../etc/shadow" });
    expect(outside.reason).toBe("argument 'root' of create_entities is outside its constraint: path under [\"/srv/kb\"]");
    expect(outside.reason).not.toContain("shadow");
    expect(call({ entities: [{ name: "a", evil: "x" }] }).reason).toContain("closed world: only name, tags");
    expect(call({ dryRun: true }).outcome).toBe("deny"); // entities is required
  });
});

describe("decide on a policy written in the v1 syntax", () => {
  const checked = checkText(`
policy p { version 1 owner "o" }
defaults {
  monitor { tool_rate > 2.0x baseline within 5m => alert high  data_volume > 2.0x baseline per session => alert high  output pii => redact }
  audit { retention 365d pii hash }
}
agent docs {
  kind conversational
  tool fetch {
    scope read
    tier low
    rate 100 per 1h
    args {
      path: path under ["/srv/docs/", "/srv/shared"]
      ticket: string matching "[A-Z]{2,5}-[0-9]{1,6}"
      page?: integer between 1 and 500
      raw?: bool
      source?: url in domains ["acme.io"]
      filters?: list of { field: one of ["title", "tag"]  value: string max 40 } max 3
    }
  }
}
`);
  const guard = createGuard(checked.bundle, { audit: null });
  const call = (args: unknown) => guard.decide({ agent: "docs", session: "s", tool: "fetch", args });
  const base = { path: "/srv/docs/a.md", ticket: "OPS-42" };

  it("compiles cleanly", () => {
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("allows what every constraint admits", () => {
    expect(call(base).outcome).toBe("allow");
    expect(
      call({ ...base, path: "/srv/shared/x/../y.md", page: 3, raw: false, source: "acme.io/kb", filters: [{ field: "tag", value: "v1" }] })
        .outcome,
    ).toBe("allow");
  });

  it.each([
    [{ ...base, path: "/srv/docs/../../etc/passwd" }, "is outside its constraint: path under"],
    [{ ...base, path: "docs/a.md" }, "argument 'path' of fetch: expected an absolute path, got a relative one"],
    [{ ...base, ticket: "ops-42" }, "argument 'ticket' of fetch is outside its constraint: string matching"],
    [{ ...base, ticket: "OPS-42\nrm -rf /" }, "argument 'ticket' of fetch is outside its constraint"],
    [{ ...base, page: 2.5 }, "argument 'page' of fetch: expected an integer, got a number with a fraction"],
    [{ ...base, page: 501 }, "argument 'page' of fetch is outside its constraint: integer between 1 and 500"],
    [{ ...base, raw: "false" }, "argument 'raw' of fetch: expected true or false, got a string"],
    [{ ...base, source: "acme.io.evil.com/kb" }, "argument 'source' of fetch is outside its constraint: url in domains"],
    [
      { ...base, filters: [{ field: "body", value: "x" }] },
      "argument 'filters' of fetch: element 0: property 'field': outside its constraint: one of",
    ],
    [{ ...base, filters: [{ field: "tag" }] }, "argument 'filters' of fetch: element 0: property 'value' is missing"],
    [{ ticket: "OPS-1" }, "fetch needs argument 'path'"],
  ])("refuses %j: %s", (args, reason) => {
    const d = call(args);
    expect(d).toMatchObject({ outcome: "deny", rule: "args" });
    expect(d.reason).toContain(reason);
  });
});
