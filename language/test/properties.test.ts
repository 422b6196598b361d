// Property tests over large input spaces: the parser is total, diagnostics stay inside the
// document, fmt is idempotent and never changes the semantic digest, builds are byte-identical,
// and a generated valid policy survives print → parse with its meaning intact.
import { canonicalJson, canonicalJsonPretty, checkText, formatText, LineIndex, lowerPolicy, parse } from "@charter/language";
import { parseSyntax, parseSyntaxWhole } from "../src/syntax.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const TOKENS = [
  "policy",
  "agent",
  "tool",
  "source",
  "defaults",
  "test",
  "monitor",
  "audit",
  "sandbox",
  "approval",
  "args",
  "review",
  "scope",
  "tier",
  "rate",
  "per",
  "read",
  "write",
  "high",
  "low",
  "reads",
  "deny",
  "talks_to",
  "via",
  "exposes",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "=>",
  ">",
  ">=",
  "*",
  '"s"',
  '"*"',
  "12",
  "0.5",
  "2.0x",
  "15m",
  "512MiB",
  "2026-11-02",
  "x",
  "a-b.c",
  "// c\n",
  "/* c */",
  "\n",
  " ",
  '"unterminated',
  "/*",
  "é",
  "\u202E",
  "allow",
  "all",
  "except",
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(" "));
/** Syntactically valid text with random statements, nesting and comments: the formatter's domain. */
const WORDS = [
  "policy",
  "agent",
  "tool",
  "source",
  "scope",
  "tier",
  "rate",
  "per",
  "read",
  "high",
  "reads",
  "deny",
  "talks_to",
  "via",
  "x",
  "a-b.c",
  "monitor",
  "output",
  "pii",
  "args",
  "one",
  "of",
  "allow",
  "all",
];
const VALUES = ['"s"', "12", "0.5", "2.0x", "15m", "512MiB", "2026-11-02", "=>", ">", ">=", "*", ","];
const COMMENTS = ["// note\n", "/* block */", "/* multi\nline */"];
const { item: syntacticItem } = fc.letrec<{ item: string; block: string }>((tie) => ({
  item: fc
    .tuple(
      fc.option(fc.constantFrom(...COMMENTS), { nil: "" }),
      fc.constantFrom(...WORDS),
      fc.array(
        fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...WORDS, ...VALUES) },
          { weight: 1, arbitrary: fc.array(fc.constantFrom('"a"', "1", ","), { maxLength: 4 }).map((xs) => `[${xs.join(" ")}]`) },
          { weight: 1, arbitrary: tie("block") },
          { weight: 1, arbitrary: fc.constantFrom(...COMMENTS) },
        ),
        { maxLength: 5 },
      ),
      fc.constantFrom(" ", "\n", "\n\n", "  "),
    )
    .map(([c, k, ops, sep]) => `${c}${k} ${ops.join(" ")}${sep}`),
  block: fc.array(tie("item"), { maxLength: 3 }).map((items) => `{ ${items.join("")}}`),
}));
const syntacticText = fc.array(syntacticItem, { maxLength: 8 }).map((items) => items.join(""));

const anyText = fc.oneof(fc.string({ maxLength: 200, unit: "binary" }), tokenSoup);

function rangesInside(text: string): void {
  const lines = new LineIndex(text);
  const result = checkText(text);
  for (const d of [...result.diagnostics, ...result.diagnostics.flatMap((x) => x.related ?? [])]) {
    const { start, end } = d.range;
    expect(start.line).toBeGreaterThanOrEqual(0);
    expect(end.line).toBeLessThan(lines.lineStarts.length);
    expect(start.line < end.line || (start.line === end.line && start.character <= end.character)).toBe(true);
    expect(start.character).toBeLessThanOrEqual(lines.lineText(start.line).length + 1);
    expect(end.character).toBeLessThanOrEqual(lines.lineText(end.line).length + 1);
  }
}

// ---------------------------------------------------------------- a generator of valid policies

const name = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/);
const TRUSTS = ["untrusted", "low", "medium", "high"] as const;

interface ToolModel {
  name: string;
  scope: string;
  tier: string;
  rate: [number, string];
  approval: boolean;
  args: [string, string, boolean][];
  /** v1 statements: a per-session rate, a returns source (the first one), a flow rule */
  v1: boolean;
}

const toolModel = fc
  .record({
    scope: fc.constantFrom("read", "write", "send", "delete", "execute"),
    tierPick: fc.constantFrom("low", "medium", "high"),
    rate: fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom("30s", "5m", "1h", "1d")),
    approval: fc.boolean(),
    args: fc.uniqueArray(
      fc.tuple(
        name,
        fc.constantFrom(
          'one of ["a", "b"]',
          'subset of ["x", "y", "z"]',
          'email in domains ["company.com"]',
          "number between 1 and 5",
          "number max 100",
          "string max 200",
          "any",
          "integer between 1 and 5",
          "integer max 9",
          "bool",
          'string matching "^[a-z]+$"',
          'path under ["/srv/a", "/srv/b/./c/.."]',
          "list of string max 5 max 3",
          "{ p: bool, q?: integer max 3 }",
          'list of { k: one of ["x"] } max 2',
        ),
        fc.boolean(),
      ),
      { maxLength: 3, selector: (a) => a[0] },
    ),
    v1: fc.boolean(),
  })
  .map(({ scope, tierPick, rate, approval, args, v1 }) => {
    const tier = scope !== "read" && tierPick === "low" ? "medium" : tierPick;
    return { scope, tier, rate, approval: approval || tier === "high", args, v1 } as Omit<ToolModel, "name">;
  });

const policyModel = fc.record({
  policy: name,
  sources: fc.uniqueArray(fc.tuple(name, fc.constantFrom(...TRUSTS)), { minLength: 1, maxLength: 3, selector: (s) => s[0] }),
  agents: fc.uniqueArray(
    fc.record({
      name,
      tools: fc.uniqueArray(fc.tuple(name, toolModel), { minLength: 1, maxLength: 4, selector: (t) => t[0] }),
      deny: fc.uniqueArray(name, { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3, selector: (a) => a.name },
  ),
  oneLine: fc.boolean(),
  comments: fc.boolean(),
});

type PolicyModel = typeof policyModel extends fc.Arbitrary<infer T> ? T : never;

/** Prints a model in one of two layouts, with or without comments. */
function print(m: PolicyModel): string {
  const nl = m.oneLine ? " " : "\n  ";
  const c = (s: string) => (m.comments ? `// ${s}\n` : "");
  const out: string[] = [];
  out.push(`${c("header")}policy ${m.policy} {${nl}version 1${nl}owner "team"\n}`);
  // thresholds monotone in trust so CH5002 cannot fire
  for (const [n, t] of m.sources) out.push(`source ${n} { trust ${t} threshold ${(TRUSTS.indexOf(t) + 1) / 5} }`);
  out.push(
    `defaults {${nl}monitor {${nl}tool_rate > 2.0x baseline within 5m => alert high${nl}data_volume > 3.0x baseline per session => alert medium${nl}output pii => redact }${nl}audit { retention 365d pii hash }\n}`,
  );
  for (const a of m.agents) {
    const tools = a.tools.map(([tn, t]) => {
      const parts = [`scope ${t.scope}`, `tier ${t.tier}`, `rate ${t.rate[0]} per ${t.rate[1]}`];
      if (t.approval) parts.push(`approval { approvers ["leads"] timeout 15m }`);
      if (t.tier === "high") parts.push(`reversal "playbooks/${tn}.md"`);
      if (t.args.length) parts.push(`args { ${t.args.map(([k, v, opt]) => `${k}${opt ? "?" : ""}: ${v}`).join(" ")} }`);
      if (t.v1) parts.push("rate 3 per session", `returns ${m.sources[0]![0]}`, "after untrusted => deny");
      return `${c(tn)}tool ${tn} {${nl}${parts.join(nl)}\n}`;
    });
    const granted = new Set(a.tools.map(([tn]) => tn));
    const deny = a.deny.filter((d) => !granted.has(d));
    out.push(
      `agent ${a.name} {${nl}kind conversational${nl}reads ${m.sources.map((s) => s[0]).join(", ")}${nl}${tools.join(nl)}${deny.length ? `${nl}deny ${deny.join(", ")}` : ""}\n}`,
    );
  }
  return out.join("\n\n") + "\n";
}

describe("parser totality", () => {
  it("never throws, and every diagnostic range lies inside the document", () => {
    fc.assert(
      fc.property(anyText, (text) => rangesInside(text)),
      { numRuns: 400 },
    );
  });
});

describe("formatter", () => {
  it("is idempotent and keeps the digest and every token, on any syntactically valid text", () => {
    fc.assert(
      fc.property(syntacticText, (text) => {
        const once = formatText(text);
        expect(once.ok).toBe(true);
        if (!once.ok) return;
        const tokens = (s: string) => parseSyntax(s).tokens.map((t) => t.image);
        expect(tokens(once.text)).toEqual(tokens(text));
        const twice = formatText(once.text);
        expect(twice).toEqual(once);
        expect(lowerPolicy(parse(once.text).file).digest).toBe(lowerPolicy(parse(text).file).digest);
      }),
      { numRuns: 400 },
    );
  });

  it("keeps every comment", () => {
    fc.assert(
      fc.property(policyModel, (m) => {
        const text = print({ ...m, comments: true });
        const out = formatText(text);
        expect(out.ok).toBe(true);
        const comments = (s: string) => (s.match(/\/\/[^\n]*/g) ?? []).sort();
        if (out.ok) expect(comments(out.text)).toEqual(comments(text));
      }),
      { numRuns: 100 },
    );
  });
});

describe("generated valid policies", () => {
  it("check clean, survive print → parse with their meaning, and build to the same bytes in any layout", () => {
    fc.assert(
      fc.property(policyModel, (m) => {
        const text = print(m);
        const result = checkText(text);
        expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
        const bundle = result.bundle;
        for (const a of m.agents) {
          const ba = bundle.agents[a.name]!;
          expect(Object.keys(ba.tools).sort()).toEqual(a.tools.map(([tn]) => tn).sort());
          for (const [tn, t] of a.tools) {
            const bt = ba.tools[tn]!;
            expect([bt.scope, bt.tier, bt.rate.count]).toEqual([t.scope, t.tier, t.rate[0]]);
            expect(bt.approval !== null).toBe(t.approval);
            expect(bt.args === null ? [] : Object.keys(bt.args.properties).sort()).toEqual(t.args.map(([k]) => k).sort());
            expect(bt.args === null ? [] : bt.args.optional).toEqual(
              t.args
                .filter(([, , opt]) => opt)
                .map(([k]) => k)
                .sort(),
            );
            expect([bt.sessionRate, bt.returns, bt.flow]).toEqual(
              t.v1
                ? [{ count: 3 }, m.sources[0]![0], [{ after: { kind: "trust", level: "untrusted" }, outcome: "deny" }]]
                : [null, null, []],
            );
          }
        }
        // the other layout, and the formatted text, mean exactly the same: same bytes
        const other = checkText(print({ ...m, oneLine: !m.oneLine, comments: !m.comments })).bundle;
        const formatted = formatText(text);
        expect(formatted.ok).toBe(true);
        const bytes = canonicalJsonPretty(bundle);
        expect(canonicalJsonPretty(other)).toBe(bytes);
        if (formatted.ok) expect(canonicalJsonPretty(checkText(formatted.text).bundle)).toBe(bytes);
        expect(canonicalJsonPretty(checkText(text).bundle)).toBe(bytes);
      }),
      { numRuns: 150 },
    );
  });
});

describe("canonical JSON", () => {
  it("agrees with a plain reference model and round-trips", () => {
    // the obvious implementation, kept here as the model the fast one must match
    const model = (v: unknown): string =>
      v === null || typeof v !== "object"
        ? (JSON.stringify(v) ?? "null")
        : Array.isArray(v)
          ? "[" + v.map(model).join(",") + "]"
          : "{" +
            Object.keys(v)
              .sort()
              .map((k) => JSON.stringify(k) + ":" + model((v as Record<string, unknown>)[k]))
              .join(",") +
            "}";
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(model(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });

  it("the indented canonical JSON is JSON.stringify of the key-sorted value, indented by two", () => {
    const sorted = (v: unknown): unknown =>
      v === null || typeof v !== "object"
        ? v
        : Array.isArray(v)
          ? v.map(sorted)
          : Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
            );
    const withGaps = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined))),
      fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined))),
    );
    fc.assert(
      fc.property(withGaps, (v) => {
        expect(canonicalJsonPretty(v)).toBe(JSON.stringify(sorted(v), null, 2) + "\n");
      }),
      { numRuns: 500 },
    );
    // an object with a toJSON (a Date) is written as it always was: its own keys, sorted
    const at = { b: new Date(0), a: [new Date(0)] };
    expect(canonicalJsonPretty(at)).toBe(JSON.stringify(sorted(at), null, 2) + "\n");
  });
});

describe("incremental parsing", () => {
  const shape = (tree: ReturnType<typeof parseSyntax>) =>
    JSON.stringify({ items: tree.items, errors: tree.errors }, (k, v) =>
      (k === "tok" || k === "key" || k === "colon") && v
        ? { image: v.image, at: v.startOffset, type: v.tokenType?.name }
        : k === "tokenType"
          ? undefined
          : v,
    );

  it("parsing statement by statement gives exactly the tree of parsing the whole text", () => {
    fc.assert(
      fc.property(fc.oneof(syntacticText, tokenSoup), (text) => {
        expect(shape(parseSyntax(text))).toBe(shape(parseSyntaxWhole(text)));
      }),
      { numRuns: Number(process.env.CHARTER_PROPERTY_RUNS ?? 500) },
    );
  });

  it("re-parsing an edited text against its previous tree gives the tree of a fresh parse", () => {
    fc.assert(
      fc.property(
        fc.oneof(syntacticText, tokenSoup),
        fc.nat(),
        fc.nat({ max: 5 }),
        fc.constantFrom("", "x", "}", "{", " ", "\n", "agent b {", "// c\n", '"'),
        (text, at, cut, insert) => {
          const i = text.length ? at % (text.length + 1) : 0;
          const edited = text.slice(0, i) + insert + text.slice(i + cut);
          const previous = parseSyntax(text);
          expect(shape(parseSyntax(edited, previous))).toBe(shape(parseSyntax(edited)));
          // the previous tree is left as it was
          expect(shape(previous)).toBe(shape(parseSyntax(text)));
        },
      ),
      { numRuns: Number(process.env.CHARTER_PROPERTY_RUNS ?? 500) },
    );
  });

  it("checking an edited policy against its previous check gives the diagnostics and bundle of a fresh check", () => {
    const policies = policyModel.map(print);
    fc.assert(
      fc.property(
        fc.oneof(policies, syntacticText),
        fc.nat(),
        fc.nat({ max: 8 }),
        fc.constantFrom("", "x", "}", "tier high ", "\n", "agent b { }", "// c\n"),
        (text, at, cut, insert) => {
          const i = text.length ? at % (text.length + 1) : 0;
          const edited = text.slice(0, i) + insert + text.slice(i + cut);
          const fresh = checkText(edited);
          const incremental = checkText(edited, {}, checkText(text));
          expect(incremental.diagnostics).toEqual(fresh.diagnostics);
          expect(canonicalJson(incremental.bundle)).toBe(canonicalJson(fresh.bundle));
        },
      ),
      { numRuns: Number(process.env.CHARTER_PROPERTY_RUNS ?? 500) },
    );
  });
});

describe("what checks clean, compiles to a bundle the runtime loads", () => {
  it("holds for policies with arbitrary numbers in every numeric slot", async () => {
    const { BundleSchema } = await import("@charter/language");
    // each slot is mostly sensible, so that many generated policies check clean and the property bites
    const mostly = (good: string[], bad: string[]) =>
      fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
    const num = mostly(["0", "1", "2", "100"], ["-1", "0.5", "1.5"]);
    const dur = mostly(["1ms", "5m", "1h", "400d"], ["0s", "0m", "0d"]);
    const size = mostly(["1KiB", "512MiB"], ["0MiB"]);
    const unit = mostly(["0", "0.5", "1"], ["-1", "1.5"]);
    const retentionOf = mostly(["365d", "730d"], ["30d", "0d"]);
    let clean = 0;
    fc.assert(
      fc.property(
        num,
        dur,
        num,
        dur,
        unit,
        size,
        dur,
        num,
        num,
        num,
        retentionOf,
        (count, per, cpu, timeout, threshold, memory, time, min, max, smax, retention) => {
          const text = `policy p { version 1 owner "o" review { by "x" on 2026-11-02 digest "sha256:00" cadence ${per} } }
source s { trust low threshold ${threshold} }
defaults { monitor { tool_rate > 2.0x baseline within ${time} => alert high  data_volume > 3.0x baseline per session => alert medium  output pii => redact } audit { retention ${retention} pii hash } }
agent a { kind code-executing reads s
  sandbox { filesystem ephemeral network [] cpu ${cpu} memory ${memory} time ${time} }
  tool t { scope execute tier high rate ${count} per ${per} approval { approvers ["x"] timeout ${timeout} } reversal "r" args { n: number between ${min} and ${max}  s: string max ${smax} } }
}`;
          const r = checkText(text, { today: "2026-11-25" });
          if (r.errors > 0) return;
          clean++;
          const parsed = BundleSchema.safeParse(r.bundle);
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
    expect(clean).toBeGreaterThan(100);
  });
});
